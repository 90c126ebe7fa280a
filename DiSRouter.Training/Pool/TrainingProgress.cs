using System.Text.Json;
using System.Text.Json.Serialization;

namespace DiSRouter.Training.Pool;

/// <summary>
/// The part of a run that is not weights or optimizer moments: where it stands, for resuming, and the
/// loss curve so far. Written last into a state directory, so a directory with this file is complete.
/// </summary>
internal sealed record TrainingProgress
{
    public const string FileName = "progress.json";

    [JsonPropertyName("spec_hash")] public required string SpecHash { get; init; }
    [JsonPropertyName("step")] public required int Step { get; init; }
    [JsonPropertyName("tokens_seen")] public required long TokensSeen { get; init; }
    [JsonPropertyName("train_seconds")] public required double TrainSeconds { get; init; }

    /// <summary>Mean loss of each logging window, in order (window = <see cref="ModelPretrainer.LossWindow"/> steps).</summary>
    [JsonPropertyName("loss_curve")] public required List<double> LossCurve { get; init; }

    /// <summary>Loss sum and steps of the unfinished window, so a resumed curve equals the uninterrupted one.</summary>
    [JsonPropertyName("window_loss")] public double WindowLoss { get; init; }
    [JsonPropertyName("window_steps")] public int WindowSteps { get; init; }

    /// <summary>The SIMD path(s) the steps so far ran on, "A, then B" after a resume on another (see <see cref="TrainingInfo.SimdPath"/>).</summary>
    [JsonPropertyName("simd_path")] public string? SimdPath { get; init; }

    /// <summary>
    /// The path after the steps to come run on <paramref name="current"/>: unchanged on the same path, else appended.
    /// State saved before the path was recorded (null) counts as unknown, not as the current path.
    /// </summary>
    public string ContinuedOn(string current) =>
        Step == 0 ? current
        : SimdPath is null ? $"unknown, then {current}"
        : SimdPath == current || SimdPath.EndsWith(", then " + current, StringComparison.Ordinal) ? SimdPath
        : $"{SimdPath}, then {current}";

    public static TrainingProgress? TryLoad(string directory)
    {
        var path = Path.Combine(directory, FileName);
        return File.Exists(path) ? JsonSerializer.Deserialize<TrainingProgress>(File.ReadAllText(path)) : null;
    }

    public void Save(string directory) =>
        File.WriteAllText(Path.Combine(directory, FileName), JsonSerializer.Serialize(this));
}
