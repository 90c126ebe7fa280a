using System.Text.Json.Serialization;

namespace DiSRouter.Training.SelfAwareness;

/// <summary>One self-awareness SFT example: the scenario instruction as system message, the query, and the target reply.</summary>
internal sealed record SftExample
{
    [JsonPropertyName("query_id")] public required string QueryId { get; init; }
    [JsonPropertyName("alpha")] public required double Alpha { get; init; }
    [JsonPropertyName("scenario")] public required string Scenario { get; init; }
    [JsonPropertyName("system")] public required string System { get; init; }
    [JsonPropertyName("user")] public required string User { get; init; }
    [JsonPropertyName("target")] public required string Target { get; init; }

    /// <summary>True for a rejection target ("I don't know!"), false for an answer.</summary>
    [JsonPropertyName("reject")] public required bool Reject { get; init; }

    /// <summary>The capability estimate p(x) the label came from.</summary>
    [JsonPropertyName("p")] public required double Capability { get; init; }
}

/// <summary>How one scenario's data came out: labels before balancing and what was kept.</summary>
internal sealed record SftScenarioCounts
{
    [JsonPropertyName("alpha")] public required double Alpha { get; init; }
    [JsonPropertyName("scenario")] public required string Scenario { get; init; }
    [JsonPropertyName("threshold")] public required double Threshold { get; init; }
    [JsonPropertyName("queries")] public required int Queries { get; init; }
    [JsonPropertyName("labelled_answer")] public required int LabelledAnswer { get; init; }
    [JsonPropertyName("labelled_reject")] public required int LabelledReject { get; init; }

    /// <summary>Queries at or above the threshold with no correct sample to copy (possible only when δ = 0).</summary>
    [JsonPropertyName("skipped_no_correct_sample")] public required int SkippedNoCorrectSample { get; init; }

    /// <summary>Queries whose correct samples had no usable final answer.</summary>
    [JsonPropertyName("skipped_unparseable")] public required int SkippedUnparseable { get; init; }

    [JsonPropertyName("kept_answer")] public required int KeptAnswer { get; init; }
    [JsonPropertyName("kept_reject")] public required int KeptReject { get; init; }
}

internal sealed record SftDataSet(IReadOnlyList<SftExample> Examples, IReadOnlyList<SftScenarioCounts> Counts);
