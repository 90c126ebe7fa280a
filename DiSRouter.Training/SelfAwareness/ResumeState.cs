using System.Text.Json;
using DiSRouter.Models.Checkpoints;

namespace DiSRouter.Training.SelfAwareness;

/// <summary>
/// A training stage's resume point, one folder swapped in atomically: the weights (F32, so resuming is exact), the
/// optimizer state (one format for both engines, <see cref="PolicyEngine"/>), the stage's progress record and its cost so far. A crash between saves loses only the steps
/// since the last save, which the rerun repeats identically (every step's randomness is seeded by its number).
/// </summary>
internal static class ResumeState
{
    private const string TrainerFile = "trainer.state";
    private const string ProgressFile = "progress.json";
    private const string ReportFile = "report.json";

    public static void Save<TProgress>(string directory, PolicyEngine policy, TProgress progress, StageReport report) =>
        AtomicWrite.ReplaceDirectory(directory, d =>
        {
            policy.Save(d, CheckpointDType.F32);
            policy.SaveState(Path.Combine(d, TrainerFile));
            File.WriteAllText(Path.Combine(d, ProgressFile), JsonSerializer.Serialize(progress, StageReport.Json));
            File.WriteAllText(Path.Combine(d, ReportFile), JsonSerializer.Serialize(report, StageReport.Json));
        });

    /// <summary>
    /// The saved resume point, or null when there is none (a fresh start). Its weights are not read here: the stage opens
    /// <see cref="Loaded{TProgress}.CheckpointDirectory"/> on its engine (<see cref="PolicyEngine.Open"/>), which on torch
    /// reads them straight onto the device.
    /// </summary>
    public static Loaded<TProgress>? TryLoad<TProgress>(string directory)
    {
        AtomicWrite.RecoverDirectory(directory);
        if (!Directory.Exists(directory)) return null;
        if (!File.Exists(Path.Combine(directory, Checkpoint.WeightsFileName)) || !File.Exists(Path.Combine(directory, ConfigFile.FileName)))
            throw new CheckpointException(directory, "the resume point has no weights (model.safetensors and config.json); delete it to start over");
        var progressPath = Path.Combine(directory, ProgressFile);
        var progress = JsonSerializer.Deserialize<TProgress>(File.ReadAllText(progressPath), StageReport.Json)
            ?? throw new InvalidDataException($"{progressPath}: empty progress record.");
        var report = StageReport.TryLoad(Path.Combine(directory, ReportFile));
        return new Loaded<TProgress>(directory, Path.Combine(directory, TrainerFile), progress, report);
    }

    internal sealed record Loaded<TProgress>(string CheckpointDirectory, string TrainerStatePath, TProgress Progress, StageReport? Report);
}
