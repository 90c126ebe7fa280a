using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DiSRouter.Models.Checkpoints;

/// <summary>
/// How a self-aware checkpoint takes its answer/reject decision when it is calibrated (decision.json beside its
/// weights): it answers when the logit of the answer's first token exceeds that of the rejection's first token by
/// at least the threshold for the request's α. Thresholds are measured at grid points of α and interpolated linearly
/// between them (clamped beyond the ends), so every α in [0, 1] has one. Greedy decoding is the threshold 0.
/// WHY a file beside the weights and not inside them: calibration runs after training and must not rewrite the
/// weights file (later stages and the model store identify a checkpoint by its bytes); the file names the weights it
/// was measured on (<see cref="WeightsSha256"/>), and a reader holding other weights ignores it.
/// </summary>
public sealed record DecisionThresholds
{
    public const string FileName = "decision.json";
    public const string CurrentFormat = "disrouter-decision/1";

    [JsonPropertyName("format")] public string Format { get; init; } = CurrentFormat;

    /// <summary>The rule in words, for whoever opens the file.</summary>
    [JsonPropertyName("rule")]
    public string Rule { get; init; } =
        "answer when logit(first token of answer_text) - logit(first token of reject_text) >= the threshold at the request's alpha (linear between grid points)";

    /// <summary>The text an answer opens with; its first token is the answer side of the decision.</summary>
    [JsonPropertyName("answer_text")] public required string AnswerText { get; init; }

    /// <summary>The rejection; its first token is the reject side of the decision.</summary>
    [JsonPropertyName("reject_text")] public required string RejectText { get; init; }

    /// <summary><see cref="WeightsFingerprint.Of"/> of the weights the thresholds were measured on.</summary>
    [JsonPropertyName("weights_sha256")] public required string WeightsSha256 { get; init; }

    /// <summary>The measured points, α ascending.</summary>
    [JsonPropertyName("thresholds")] public required IReadOnlyList<DecisionPoint> Points { get; init; }

    /// <summary>How the thresholds were chosen (objective, queries, seed): provenance only, not read by serving.</summary>
    [JsonPropertyName("calibration")] public JsonElement? Calibration { get; init; }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>The logit-gap threshold at <paramref name="alpha"/>: linear between the two grid points around it.</summary>
    public double ThresholdAt(double alpha)
    {
        if (!(alpha >= 0 && alpha <= 1)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "α must be in [0, 1].");
        var p = Points;
        if (alpha <= p[0].Alpha) return p[0].LogitGap;
        if (alpha >= p[^1].Alpha) return p[^1].LogitGap;
        int i = 1;
        while (p[i].Alpha < alpha) i++;
        double t = (alpha - p[i - 1].Alpha) / (p[i].Alpha - p[i - 1].Alpha);
        return p[i - 1].LogitGap + t * (p[i].LogitGap - p[i - 1].LogitGap);
    }

    /// <summary>Whether a reply whose decision logits differ by <paramref name="logitGap"/> (answer − reject) answers at α.</summary>
    public bool Answers(double logitGap, double alpha) => Reaches(logitGap, ThresholdAt(alpha));

    /// <summary>The rule itself: a gap answers when it reaches the threshold (equal answers).</summary>
    public static bool Reaches(double logitGap, double threshold) => logitGap >= threshold;

    /// <summary>The file's text, as <see cref="Write"/> writes it.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json) + "\n";

    /// <summary>Writes the file atomically into the checkpoint folder.</summary>
    public void Write(string checkpointDirectory)
    {
        Validate(Path.Combine(checkpointDirectory, FileName));
        AtomicFile.WriteAllText(Path.Combine(checkpointDirectory, FileName), ToJson());
    }

    /// <summary>The folder's decision.json, or null when it has none. A file that is there but unreadable throws.</summary>
    public static DecisionThresholds? TryRead(string checkpointDirectory)
    {
        var path = Path.Combine(checkpointDirectory, FileName);
        var read = CheckpointJson.TryRead<DecisionThresholds>(path, Json, "decision file");
        read?.Validate(path);
        return read;
    }

    private void Validate(string path)
    {
        if (Format != CurrentFormat) throw new CheckpointException(path, $"format '{Format}' is not '{CurrentFormat}'");
        if (string.IsNullOrEmpty(AnswerText) || string.IsNullOrEmpty(RejectText))
            throw new CheckpointException(path, "answer_text and reject_text must not be empty");
        if (string.IsNullOrWhiteSpace(WeightsSha256)) throw new CheckpointException(path, "weights_sha256 is missing");
        if (Points is null || Points.Count == 0) throw new CheckpointException(path, "no thresholds");
        for (int i = 0; i < Points.Count; i++)
        {
            var p = Points[i];
            if (!(p.Alpha >= 0 && p.Alpha <= 1)) throw new CheckpointException(path, $"threshold {i}: alpha {p.Alpha.ToString(CultureInfo.InvariantCulture)} is outside [0, 1]");
            if (!double.IsFinite(p.LogitGap)) throw new CheckpointException(path, $"threshold {i}: logit_gap is not a finite number");
            if (i > 0 && !(p.Alpha > Points[i - 1].Alpha)) throw new CheckpointException(path, "thresholds must be in ascending order of alpha, each alpha once");
        }
    }
}

/// <summary>One measured point: at <see cref="Alpha"/>, answer when the logit gap is at least <see cref="LogitGap"/>.</summary>
/// <param name="AnswerRate">The share of calibration queries answered at this threshold (provenance).</param>
/// <param name="MeanReward">The calibration queries' mean reward at this threshold, and with greedy decisions (provenance).</param>
public sealed record DecisionPoint(
    [property: JsonPropertyName("alpha")] double Alpha,
    [property: JsonPropertyName("logit_gap")] double LogitGap,
    [property: JsonPropertyName("answer_rate")] double? AnswerRate = null,
    [property: JsonPropertyName("mean_reward")] double? MeanReward = null,
    [property: JsonPropertyName("greedy_answer_rate")] double? GreedyAnswerRate = null,
    [property: JsonPropertyName("greedy_mean_reward")] double? GreedyMeanReward = null);
