using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DiSRouter.Models.Checkpoints;

/// <summary>
/// A self-aware checkpoint's bid scale (bid.json beside its weights): the map from its first-token logit gap (answer −
/// reject, read under the scenario prompt at <see cref="PromptAlpha"/>) to the probability that its own answer is right,
/// log-odds = <see cref="Weight"/>·gap + <see cref="Bias"/>. Fitted on the agent's own validation answers only (one-feature
/// logistic regression), so each agent brings its scale with it and any subset of agents can hold an auction.
/// WHY a file beside the weights: like decision.json it is fitted after training, names the weights it was fitted on
/// (<see cref="WeightsSha256"/>), and a reader holding other weights ignores it.
/// </summary>
public sealed record BidScale
{
    public const string FileName = "bid.json";
    public const string CurrentFormat = "disrouter-bid/1";

    /// <summary>The α of the scenario prompt the gap is read under when none is recorded (the routing report's bid prompt).</summary>
    public const double DefaultPromptAlpha = 0.5;

    [JsonPropertyName("format")] public string Format { get; init; } = CurrentFormat;

    /// <summary>The rule in words, for whoever opens the file.</summary>
    [JsonPropertyName("rule")]
    public string Rule { get; init; } =
        "p_right = 1 / (1 + exp(-(weight * logit_gap + bias))), logit_gap = logit(first token of the answer) - logit(first token of the rejection) under the prompt at prompt_alpha";

    [JsonPropertyName("prompt_alpha")] public required double PromptAlpha { get; init; }
    [JsonPropertyName("weight")] public required double Weight { get; init; }
    [JsonPropertyName("bias")] public required double Bias { get; init; }

    /// <summary><see cref="WeightsFingerprint.Of"/> of the weights the scale was fitted on.</summary>
    [JsonPropertyName("weights_sha256")] public required string WeightsSha256 { get; init; }

    /// <summary>How the scale was fitted (rows, share right, L2, command, date): provenance only, not read by serving.</summary>
    [JsonPropertyName("fit")] public JsonElement? Fit { get; init; }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>The probability that the agent's own answer is right, given its logit gap.</summary>
    public double Probability(double logitGap)
    {
        double z = Weight * logitGap + Bias;
        return z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json) + "\n";

    /// <summary>Writes the file atomically into the checkpoint folder.</summary>
    public void Write(string checkpointDirectory)
    {
        var path = Path.Combine(checkpointDirectory, FileName);
        Validate(path);
        AtomicFile.WriteAllText(path, ToJson());
    }

    /// <summary>The folder's bid.json, or null when it has none. A file that is there but unreadable throws.</summary>
    public static BidScale? TryRead(string checkpointDirectory)
    {
        var path = Path.Combine(checkpointDirectory, FileName);
        var read = CheckpointJson.TryRead<BidScale>(path, Json, "bid file");
        read?.Validate(path);
        return read;
    }

    private void Validate(string path)
    {
        if (Format != CurrentFormat) throw new CheckpointException(path, $"format '{Format}' is not '{CurrentFormat}'");
        if (string.IsNullOrWhiteSpace(WeightsSha256)) throw new CheckpointException(path, "weights_sha256 is missing");
        if (!(PromptAlpha >= 0 && PromptAlpha <= 1))
            throw new CheckpointException(path, $"prompt_alpha {PromptAlpha.ToString(CultureInfo.InvariantCulture)} is outside [0, 1]");
        if (!double.IsFinite(Weight) || !double.IsFinite(Bias)) throw new CheckpointException(path, "weight and bias must be finite numbers");
    }
}
