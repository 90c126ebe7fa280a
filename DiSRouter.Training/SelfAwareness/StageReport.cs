using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DiSRouter.Training.SelfAwareness;

/// <summary>
/// What a stage cost, written beside its outputs (<c>&lt;stage&gt;-report.json</c>): wall time, tokens processed and
/// samples drawn, summed over every run that contributed (a resumed stage adds to what the earlier runs recorded).
/// Work lost to a hard kill after the last save is not counted: it left no output.
/// </summary>
internal sealed record StageReport
{
    [JsonPropertyName("stage")] public required string Stage { get; init; }

    /// <summary>"complete", or "interrupted" while a resumable run has stopped part way.</summary>
    [JsonPropertyName("status")] public required string Status { get; init; }

    [JsonPropertyName("runs")] public int Runs { get; init; }
    [JsonPropertyName("wall_seconds")] public double WallSeconds { get; init; }

    /// <summary>Prompt tokens read by the model (once per generate call; the N samples share the prompt).</summary>
    [JsonPropertyName("prompt_tokens")] public long PromptTokens { get; init; }

    [JsonPropertyName("generated_tokens")] public long GeneratedTokens { get; init; }

    /// <summary>Tokens through a forward and backward pass (SFT examples, RL rollouts).</summary>
    [JsonPropertyName("trained_tokens")] public long TrainedTokens { get; init; }

    /// <summary>Tokens through a gradient-free forward pass (RL's reference and old-policy log-probs).</summary>
    [JsonPropertyName("scored_tokens")] public long ScoredTokens { get; init; }

    [JsonPropertyName("tokens_processed")] public long TokensProcessed => PromptTokens + GeneratedTokens + TrainedTokens + ScoredTokens;

    [JsonPropertyName("samples_drawn")] public long SamplesDrawn { get; init; }
    [JsonPropertyName("optimizer_steps")] public long OptimizerSteps { get; init; }
    [JsonPropertyName("updated_utc")] public DateTime UpdatedUtc { get; init; }

    /// <summary>Stage-specific figures: options used, data counts, final metrics.</summary>
    [JsonPropertyName("details")] public Dictionary<string, JsonElement> Details { get; init; } = [];

    public static string PathFor(string runDirectory, string stage) => Path.Combine(runDirectory, $"{stage}-report.json");

    public static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Encoder = JsonlFile.Json.Encoder };

    public static StageReport? TryLoad(string path)
    {
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<StageReport>(File.ReadAllText(path), Json); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not a valid stage report ({e.Message}).", e); }
    }

    public void Save(string path) => AtomicWrite.Text(path, JsonSerializer.Serialize(this, Json) + "\n");
}

/// <summary>Counts a stage's cost as it runs, on top of what earlier runs of the same stage recorded.</summary>
internal sealed class StageMeter
{
    private readonly StageReport _previous;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public StageMeter(string stage, StageReport? previous)
    {
        _previous = previous ?? new StageReport { Stage = stage, Status = "interrupted" };
        Stage = stage;
    }

    public string Stage { get; }
    public long PromptTokens { get; set; }
    public long GeneratedTokens { get; set; }
    public long TrainedTokens { get; set; }
    public long ScoredTokens { get; set; }
    public long SamplesDrawn { get; set; }
    public long OptimizerSteps { get; set; }
    public Dictionary<string, JsonElement> Details { get; } = [];

    public void Detail<T>(string key, T value) => Details[key] = JsonSerializer.SerializeToElement(value, JsonlFile.Json);

    public StageReport Snapshot(bool complete)
    {
        var details = new Dictionary<string, JsonElement>(_previous.Details);
        foreach (var (k, v) in Details) details[k] = v;
        return new StageReport
        {
            Stage = Stage,
            Status = complete ? "complete" : "interrupted",
            Runs = _previous.Runs + 1,
            WallSeconds = _previous.WallSeconds + _clock.Elapsed.TotalSeconds,
            PromptTokens = _previous.PromptTokens + PromptTokens,
            GeneratedTokens = _previous.GeneratedTokens + GeneratedTokens,
            TrainedTokens = _previous.TrainedTokens + TrainedTokens,
            ScoredTokens = _previous.ScoredTokens + ScoredTokens,
            SamplesDrawn = _previous.SamplesDrawn + SamplesDrawn,
            OptimizerSteps = _previous.OptimizerSteps + OptimizerSteps,
            UpdatedUtc = DateTime.UtcNow,
            Details = details,
        };
    }
}

/// <summary>Where a stage is, for progress bars: <paramref name="Phase"/> names the bar.</summary>
internal readonly record struct StageProgress(string Phase, long Done, long Total, string? Detail = null);
