using System.Text.Json.Serialization;

namespace DiSRouter.Agents.Backends;

/// <summary>
/// What a local agent serves (GET /checkpoint): its directory, the generation loaded (1 at startup, +1 per reload) and
/// when, and the latest reload that failed while the old model kept serving, with its reason; null once a later
/// change has loaded (written as null, not left out, so that no failure reads as such). The weights' fingerprint
/// (<see cref="Models.Checkpoints.WeightsFingerprint"/>) is what files fitted on these weights name: the gateway checks
/// its Self-Route router file against it.
/// </summary>
internal sealed record CheckpointStatus(
    [property: JsonPropertyName("directory")] string Directory,
    [property: JsonPropertyName("generation")] int Generation,
    [property: JsonPropertyName("loaded_at")] DateTimeOffset? LoadedAt,
    [property: JsonPropertyName("parameters")] long Parameters,
    [property: JsonPropertyName("decision_thresholds")] bool DecisionThresholds,
    [property: JsonPropertyName("reload_failure"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] CheckpointReloadFailure? ReloadFailure,
    [property: JsonPropertyName("weights_sha256")] string? WeightsSha256);

/// <summary>A changed checkpoint that did not load: when, and why (the exception's message and its causes).</summary>
internal sealed record CheckpointReloadFailure(
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("reason")] string Reason);
