using DiSRouter.Models.Checkpoints;

namespace DiSRouter.Training.Jobs;

/// <summary>
/// Replaces a serving checkpoint with a trained one so that a watching agent (LocalCheckpointBackend) reloads it
/// safely:
/// 1) the files are copied into a staging folder inside the target (same file system, so renames are atomic; the
///    agent's watcher looks at the three checkpoint names in the target itself only) and flushed to disk;
/// 2) the staged copy must load (<see cref="Checkpoint.Load"/>), with its decision thresholds, if any, made for its
///    weights: a checkpoint that does not is refused and the serving one stays as it was;
/// 3) config.json is removed, decision.json (the calibrated thresholds) is renamed in or the old one removed when the
///    new checkpoint has none, tokenizer.json and model.safetensors are renamed over the old ones, and config.json is
///    renamed into place last.
/// No reader ever opens a half-written file (each file appears by rename). While config.json is missing the folder
/// is incomplete, and the agent loads only complete folders whose files did not change while it read them (its
/// fingerprint check), so it loads either the old checkpoint or the new one, never new weights under an old config.
/// A publish interrupted after its copy was verified is finished by <see cref="Recover"/>.
/// </summary>
internal static class CheckpointPublisher
{
    public const string ConfigFile = "config.json";

    /// <summary>The files of a checkpoint; config.json goes into place last.</summary>
    public static readonly string[] Files = ["tokenizer.json", Checkpoint.WeightsFileName, ConfigFile];

    /// <summary>
    /// A file a checkpoint may have: its calibrated decision thresholds. Published with the weights it was made for
    /// (before config.json), and removed from the target when the new checkpoint has none, so that thresholds never
    /// outlive their weights.
    /// </summary>
    public const string DecisionFile = DecisionThresholds.FileName;

    private const string StagingPrefix = ".publish-";
    private const string VerifiedMarker = ".verified";
    private const string NoDecisionMarker = ".no-decision";

    /// <summary>Publishes <paramref name="source"/> into <paramref name="target"/>; throws <see cref="PublishRefusedException"/> and changes nothing when the source does not load.</summary>
    public static void Publish(string source, string target)
    {
        Directory.CreateDirectory(target);
        Recover(target);
        var staging = Stage(source, target);
        try
        {
            Commit(staging, target);
        }
        finally
        {
            TryDelete(staging);
        }
    }

    /// <summary>Steps 1 and 2: a verified copy of the source inside the target; the caller commits or deletes it.</summary>
    internal static string Stage(string source, string target)
    {
        foreach (var name in Files)
            if (!File.Exists(Path.Combine(source, name)))
                throw new PublishRefusedException($"{source} is not a complete checkpoint: {name} is missing.");
        var staging = Path.Combine(target, StagingPrefix + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        try
        {
            foreach (var name in Files) Copy(Path.Combine(source, name), Path.Combine(staging, name));
            if (File.Exists(Path.Combine(source, DecisionFile))) Copy(Path.Combine(source, DecisionFile), Path.Combine(staging, DecisionFile));
            else File.WriteAllBytes(Path.Combine(staging, NoDecisionMarker), []);
            try
            {
                var loaded = Checkpoint.Load(staging);
                if (DecisionThresholds.TryRead(staging) is { } thresholds && thresholds.WeightsSha256 != WeightsFingerprint.Of(loaded.Model))
                    throw new InvalidDataException($"{DecisionFile} was calibrated on other weights ({thresholds.WeightsSha256}); calibrate this checkpoint again");
            }
            catch (Exception e)
            {
                throw new PublishRefusedException($"{source} does not load as a checkpoint, so it is not published: {e.Message}", e);
            }
            File.WriteAllBytes(Path.Combine(staging, VerifiedMarker), []);
            return staging;
        }
        catch
        {
            TryDelete(staging);
            throw;
        }
    }

    /// <summary>
    /// Finishes a publish that was interrupted after its copy was verified (the renames go on where they stopped),
    /// and deletes the copies of publishes interrupted before that. Callers hold the job's run lock, so no other
    /// publish into this target is under way.
    /// </summary>
    public static void Recover(string target)
    {
        if (!Directory.Exists(target)) return;
        foreach (var staging in Directory.EnumerateDirectories(target, StagingPrefix + "*"))
        {
            if (File.Exists(Path.Combine(staging, VerifiedMarker))) Commit(staging, target);
            TryDelete(staging);
        }
    }

    /// <summary>
    /// Whether <paramref name="target"/> already holds <paramref name="source"/>'s files byte for byte (a job rerun whose
    /// stages found their work done): publishing again would only make the agent reload the checkpoint it serves.
    /// </summary>
    public static bool AlreadyServes(string source, string target)
    {
        if (HasUnfinished(target)) return false;
        var decision = File.Exists(Path.Combine(source, DecisionFile));
        if (decision != File.Exists(Path.Combine(target, DecisionFile))) return false;
        string[] names = decision ? [.. Files, DecisionFile] : Files;
        foreach (var name in names)
        {
            var (a, b) = (new FileInfo(Path.Combine(source, name)), new FileInfo(Path.Combine(target, name)));
            if (!a.Exists || !b.Exists || a.Length != b.Length) return false;
        }
        foreach (var name in names)
            if (!SameBytes(Path.Combine(source, name), Path.Combine(target, name))) return false;
        return true;
    }

    private static bool SameBytes(string a, string b)
    {
        using var x = new FileStream(a, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var y = new FileStream(b, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var (bx, by) = (new byte[1 << 16], new byte[1 << 16]);
        while (true)
        {
            int n = x.ReadAtLeast(bx, bx.Length, throwOnEndOfStream: false);
            int m = y.ReadAtLeast(by, by.Length, throwOnEndOfStream: false);
            if (n != m || !bx.AsSpan(0, n).SequenceEqual(by.AsSpan(0, m))) return false;
            if (n == 0) return true;
        }
    }

    /// <summary>Whether an interrupted publish left a staging folder in the target.</summary>
    public static bool HasUnfinished(string target) =>
        Directory.Exists(target) && Directory.EnumerateDirectories(target, StagingPrefix + "*").Any();

    private static void Commit(string staging, string target)
    {
        // Renamed last, so a staging folder that still holds config.json has not been committed whole yet.
        var stagedConfig = Path.Combine(staging, ConfigFile);
        if (!File.Exists(stagedConfig)) return;
        File.Delete(Path.Combine(target, ConfigFile));
        // The thresholds go in (or the old ones out) while config.json is missing, before the weights they belong to.
        var stagedDecision = Path.Combine(staging, DecisionFile);
        if (File.Exists(stagedDecision)) File.Move(stagedDecision, Path.Combine(target, DecisionFile), overwrite: true);
        else if (File.Exists(Path.Combine(staging, NoDecisionMarker))) File.Delete(Path.Combine(target, DecisionFile));
        foreach (var name in Files)
        {
            var staged = Path.Combine(staging, name);
            if (File.Exists(staged)) File.Move(staged, Path.Combine(target, name), overwrite: true);
        }
    }

    /// <summary>A fresh copy (new write time, so the agent's fingerprint changes), flushed before anyone renames it.</summary>
    private static void Copy(string from, string to)
    {
        using var input = new FileStream(from, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var output = new FileStream(to, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        input.CopyTo(output);
        output.Flush(flushToDisk: true);
    }

    private static void TryDelete(string directory)
    {
        try { if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // a stray hidden folder; the next publish retries
    }
}

/// <summary>The trained checkpoint is incomplete or does not load: the serving checkpoint was left untouched.</summary>
internal sealed class PublishRefusedException(string message, Exception? inner = null) : Exception(message, inner);
