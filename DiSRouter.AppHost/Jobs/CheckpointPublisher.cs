using DiSRouter.Models.Checkpoints;

namespace DiSRouter.AppHost.Jobs;

/// <summary>
/// Replaces a serving checkpoint with a trained one so that a watching agent (LocalCheckpointBackend) reloads it
/// safely:
/// 1) the files are copied into a staging folder inside the target (same file system, invisible to the agent's
///    watcher, which looks at the three checkpoint names only) and flushed to disk;
/// 2) the staged copy must load (<see cref="Checkpoint.Load"/>): a checkpoint that does not is refused and the
///    serving one stays as it was;
/// 3) each file is renamed over the old one, config.json and tokenizer.json first and model.safetensors last.
/// A rename is atomic, so no reader ever opens a half-written file; an agent that reads the files while they are
/// renamed sees their size and time change under it and reads again (its fingerprint check), so it never serves a
/// mix. A publish interrupted between renames is finished by <see cref="Recover"/>, since the staged copy was
/// verified before the first rename.
/// </summary>
internal static class CheckpointPublisher
{
    /// <summary>The files of a checkpoint, in the order they are renamed into place.</summary>
    public static readonly string[] Files = ["config.json", "tokenizer.json", Checkpoint.WeightsFileName];

    private const string StagingPrefix = ".publish-";
    private const string VerifiedMarker = ".verified";

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
            try
            {
                Checkpoint.Load(staging);
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

    private static void Commit(string staging, string target)
    {
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
