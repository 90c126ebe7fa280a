using System.Text.Json;
using System.Text.Json.Serialization;

namespace DiSRouter.Training.Jobs;

/// <summary>
/// What one run of a job did, saved beside its log as runs/jobs/NAME/STAMP.json (rewritten after every stage, so a
/// running job shows its progress): the stages with their exit codes and wall times, and whether it published.
/// </summary>
internal sealed class JobStatus
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public required string Job { get; init; }
    public required string Agent { get; init; }
    public required DateTimeOffset Started { get; init; }
    public DateTimeOffset? Finished { get; set; }
    public double WallSeconds { get; set; }

    /// <summary>running, published, failed (a stage exited non-zero), refused (the checkpoint did not load), cancelled.</summary>
    public string Outcome { get; set; } = JobOutcome.Running;

    /// <summary>`job run`'s exit code: 0 published, a failed stage's own code, 1 refused, 130 cancelled.</summary>
    public int? ExitCode { get; set; }

    public bool Published { get; set; }
    public required string Source { get; init; }
    public required string Target { get; init; }
    public string? Message { get; set; }
    public required string Log { get; init; }
    public List<StageStatus> Stages { get; init; } = [];

    public void Save(string path) =>
        AtomicText.Write(path, JsonSerializer.Serialize(this, Json) + Environment.NewLine);

    public static JobStatus? TryLoad(string path)
    {
        try { return JsonSerializer.Deserialize<JobStatus>(File.ReadAllText(path), Json); }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>The newest run's status in a job's log folder, if any.</summary>
    public static JobStatus? Latest(string logs) =>
        Directory.Exists(logs)
            ? Directory.EnumerateFiles(logs, "*.json").Select(TryLoad).Where(s => s is not null).MaxBy(s => s!.Started)
            : null;
}

/// <summary>The values of <see cref="JobStatus.Outcome"/>.</summary>
internal static class JobOutcome
{
    public const string Running = "running";
    public const string Published = "published";

    /// <summary>The stages ended well and the serving checkpoint already was their output: nothing was published.</summary>
    public const string Unchanged = "unchanged";
    public const string Failed = "failed";
    public const string Refused = "refused";
    public const string Cancelled = "cancelled";
}

internal sealed class StageStatus
{
    public required string Name { get; init; }
    public required IReadOnlyList<string> Arguments { get; init; }

    /// <summary>Null while the stage runs.</summary>
    public int? ExitCode { get; set; }

    public double WallSeconds { get; set; }
}

/// <summary>A small text file written to a temp name beside it and renamed over it: readers see the old or the new one.</summary>
internal static class AtomicText
{
    public static void Write(string path, string text)
    {
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }
}
