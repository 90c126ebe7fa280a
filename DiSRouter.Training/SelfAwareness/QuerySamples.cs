using System.Text.Json.Serialization;

namespace DiSRouter.Training.SelfAwareness;

/// <summary>One chain-of-thought sample of the agent's own base model on a training query, as graded.</summary>
internal sealed record SampleRecord
{
    [JsonPropertyName("text")] public required string Text { get; init; }

    /// <summary>The final answer the grader read from the text; null when it found none.</summary>
    [JsonPropertyName("answer")] public string? Answer { get; init; }

    [JsonPropertyName("correct")] public bool Correct { get; init; }

    /// <summary>Tokens the model generated for this sample.</summary>
    [JsonPropertyName("tokens")] public int Tokens { get; init; }
}

/// <summary>
/// One line of <c>samples.jsonl</c>: a training query, every sample drawn for it and the capability estimate
/// p(x) = correct / N. The prompt is stored as the model saw it, so SFT and audits rebuild it exactly.
/// </summary>
internal sealed record QuerySamples
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("family")] public required string Family { get; init; }
    [JsonPropertyName("difficulty")] public required string Difficulty { get; init; }

    /// <summary>The task's own system instruction the base model was prompted with, if any.</summary>
    [JsonPropertyName("system")] public string? System { get; init; }

    /// <summary>The user message: the query as the model saw it.</summary>
    [JsonPropertyName("question")] public required string Question { get; init; }

    [JsonPropertyName("reference")] public required string Reference { get; init; }
    [JsonPropertyName("samples")] public required IReadOnlyList<SampleRecord> Samples { get; init; }

    [JsonPropertyName("correct")] public int CorrectCount => Samples.Count(s => s.Correct);

    /// <summary>Capability estimate p(x): the fraction of correct samples.</summary>
    [JsonPropertyName("p")] public double Capability => Samples.Count == 0 ? 0 : (double)CorrectCount / Samples.Count;
}
