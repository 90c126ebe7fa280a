using DiSRouter.Models.Checkpoints;

namespace DiSRouter.Training.Jobs;

/// <summary>
/// Replaces a serving checkpoint with a trained one so that the serving directory holds a complete checkpoint at
/// every moment, whenever the publishing process dies (SIGKILL, power cut), and a watching agent
/// (LocalCheckpointBackend) reloads it safely:
/// 1) the checkpoint's files (and any other files of the serving directory, carried over) are copied into a hidden
///    staging folder beside the target (same parent, so same file system: a rename there is atomic), each flushed;
/// 2) the staged copy must load (<see cref="Checkpoint.Load"/>), with its decision thresholds, if any, made for its
///    weights: a checkpoint that does not is refused and the serving one stays as it was; the verified copy is then
///    renamed from <c>.NAME.publish-ID</c> to <c>.NAME.ready-ID</c>, which says it is whole;
/// 3) the ready folder and the target swap names in one step (renameat2 RENAME_EXCHANGE), the parent is flushed, and
///    the folder now holding the old checkpoint is deleted.
/// Killed at any point, the target holds the old checkpoint (before the swap) or the new one (after it), never a mix
/// and never nothing; what is left beside it is deleted by <see cref="Recover"/> at the next publish. Where the file
/// system cannot swap two names (not Linux, a network share) step 3 is two renames (target aside as
/// <c>.NAME.old-ID</c>, ready folder in): a kill between them leaves the target missing for the agent's next start,
/// and <see cref="Recover"/> moves the verified copy in (or, lacking one, the old checkpoint back).
/// </summary>
internal static class CheckpointPublisher
{
    public const string ConfigFile = "config.json";

    /// <summary>The files of a checkpoint.</summary>
    public static readonly string[] Files = ["tokenizer.json", Checkpoint.WeightsFileName, ConfigFile];

    /// <summary>
    /// A file a checkpoint may have: its calibrated decision thresholds. Published with the weights it was made for,
    /// and gone from the target when the new checkpoint has none, so that thresholds never outlive their weights.
    /// </summary>
    public const string DecisionFile = DecisionThresholds.FileName;

    /// <summary>The scenario wording the checkpoint was trained with, where it records one: published with it like <see cref="DecisionFile"/>.</summary>
    public const string PromptStyleFile = Core.Scenarios.ScenarioPromptFile.FileName;

    private const string Staging = "publish", Ready = "ready", Old = "old";

    /// <summary>
    /// Publishes <paramref name="source"/> into <paramref name="target"/>; throws <see cref="PublishRefusedException"/>
    /// and changes nothing when the source does not load, and an <see cref="IOException"/> (a full disk, say) with the
    /// target as it was when a file cannot be written.
    /// </summary>
    public static void Publish(string source, string target) => Publish(source, target, exchange: true);

    /// <param name="exchange">false: swap by two renames, as on a file system without RENAME_EXCHANGE (tests).</param>
    internal static void Publish(string source, string target, bool exchange)
    {
        target = Normalise(target);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        Recover(target);
        var ready = Stage(source, target);
        try
        {
            Swap(ready, target, exchange);
        }
        finally
        {
            TryDelete(ready); // after a swap it holds the old checkpoint
        }
    }

    /// <summary>Steps 1 and 2: a verified copy of the source beside the target, named ready; the caller swaps it in or deletes it.</summary>
    internal static string Stage(string source, string target)
    {
        target = Normalise(target);
        foreach (var name in Files)
            if (!File.Exists(Path.Combine(source, name)))
                throw new PublishRefusedException($"{source} is not a complete checkpoint: {name} is missing.");
        var id = Guid.NewGuid().ToString("N");
        var staging = Sibling(target, Staging, id);
        Directory.CreateDirectory(staging);
        try
        {
            foreach (var name in Files) Copy(Path.Combine(source, name), Path.Combine(staging, name));
            if (File.Exists(Path.Combine(source, DecisionFile))) Copy(Path.Combine(source, DecisionFile), Path.Combine(staging, DecisionFile));
            if (File.Exists(Path.Combine(source, PromptStyleFile))) Copy(Path.Combine(source, PromptStyleFile), Path.Combine(staging, PromptStyleFile));
            if (Directory.Exists(target))
                foreach (var other in Directory.EnumerateFiles(target).Where(f => !IsCheckpointFile(Path.GetFileName(f))))
                    Copy(other, Path.Combine(staging, Path.GetFileName(other)));
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
            LinuxFiles.FlushDirectory(staging);
            var ready = Sibling(target, Ready, id);
            Directory.Move(staging, ready);
            return ready;
        }
        catch
        {
            TryDelete(staging);
            throw;
        }
    }

    /// <summary>
    /// Step 3: <paramref name="ready"/> becomes the target; afterwards <paramref name="ready"/> holds the replaced
    /// checkpoint (or is gone, where there was none or the two-rename fallback deleted it).
    /// </summary>
    private static void Swap(string ready, string target, bool exchange)
    {
        var parent = Path.GetDirectoryName(target)!;
        if (!Directory.Exists(target)) Directory.Move(ready, target);
        else if (!exchange || !LinuxFiles.TryExchange(ready, target))
        {
            var old = Sibling(target, Old, Path.GetFileName(ready)[^32..]);
            Directory.Move(target, old);
            try
            {
                Directory.Move(ready, target);
            }
            catch
            {
                Directory.Move(old, target);
                throw;
            }
            LinuxFiles.FlushDirectory(parent);
            TryDelete(old);
            return;
        }
        LinuxFiles.FlushDirectory(parent);
    }

    /// <summary>
    /// Cleans up after publishes that were killed: deletes the copies they left beside the target, and where the
    /// target itself is missing (a two-rename swap cut between its renames) moves the verified copy in, or lacking one
    /// the old checkpoint back. Callers hold the job's run lock, so no other publish into this target is under way.
    /// </summary>
    public static void Recover(string target)
    {
        target = Normalise(target);
        var leftovers = Leftovers(target).ToList();
        if (leftovers.Count == 0) return;
        if (!Directory.Exists(target) &&
            (leftovers.FirstOrDefault(d => Tag(target, d) == Ready) ?? leftovers.FirstOrDefault(d => Tag(target, d) == Old)) is { } whole)
        {
            Directory.Move(whole, target);
            LinuxFiles.FlushDirectory(Path.GetDirectoryName(target)!);
        }
        foreach (var leftover in leftovers) TryDelete(leftover);
    }

    /// <summary>Whether an interrupted publish left a folder beside the target.</summary>
    public static bool HasUnfinished(string target) => Leftovers(target).Any();

    /// <summary>The folders publishes into <paramref name="target"/> leave beside it while they run (or when killed).</summary>
    internal static IEnumerable<string> Leftovers(string target)
    {
        target = Normalise(target);
        var parent = Path.GetDirectoryName(target);
        if (parent is null || !Directory.Exists(parent)) return [];
        return Directory.EnumerateDirectories(parent, "." + Path.GetFileName(target) + ".*-*").Where(d => Tag(target, d) is not null);
    }

    /// <summary><c>PARENT/.NAME.TAG-ID</c>: hidden, named after its target, so two serving directories in one parent keep theirs apart.</summary>
    internal static string Sibling(string target, string tag, string id) =>
        Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{tag}-{id}");

    private static string? Tag(string target, string sibling)
    {
        var rest = Path.GetFileName(sibling)[(Path.GetFileName(target).Length + 2)..];
        var dash = rest.IndexOf('-');
        var tag = dash < 0 ? "" : rest[..dash];
        return tag is Staging or Ready or Old && rest.Length - dash - 1 == 32 ? tag : null;
    }

    private static string Normalise(string target) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(target));

    private static bool IsCheckpointFile(string name) => name == DecisionFile || name == PromptStyleFile || Files.Contains(name);

    /// <summary>
    /// Whether <paramref name="target"/> already holds <paramref name="source"/>'s files byte for byte (a job rerun whose
    /// stages found their work done): publishing again would only make the agent reload the checkpoint it serves.
    /// </summary>
    public static bool AlreadyServes(string source, string target)
    {
        if (HasUnfinished(target)) return false;
        var decision = File.Exists(Path.Combine(source, DecisionFile));
        if (decision != File.Exists(Path.Combine(target, DecisionFile))) return false;
        var style = File.Exists(Path.Combine(source, PromptStyleFile));
        if (style != File.Exists(Path.Combine(target, PromptStyleFile))) return false;
        var names = Files.ToList();
        if (decision) names.Add(DecisionFile);
        if (style) names.Add(PromptStyleFile);
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
