using System.Security.Cryptography;
using System.Text;
using DiSRouter.Training.SelfAwareness;

namespace DiSRouter.Training.Evaluation;

/// <summary>
/// Measured replies on disk, so that the routing report's methods, and its reruns, share one pass of every model over
/// every query set: <c>{root}/{model}-{weights}/{kind}-{queries}.jsonl</c>, where weights is the checkpoint's
/// <see cref="Models.Checkpoints.WeightsFingerprint"/>, kind names the measurement ("base", "decide-0.50") with the
/// answer budget and <see cref="FormatVersion"/>, and queries is a hash of every query's id, prompt and reference.
/// A file is used only when it holds one record per query in the same order. It is invalidated by new weights, another
/// query set, another answer budget or a new format version; a change to a grader is not seen: delete the folder.
/// </summary>
internal sealed class ReplyCache(string root)
{
    /// <summary>Bump when a measurement's meaning changes (prompt layout, what a field holds).</summary>
    public const string FormatVersion = "v1";

    public string Root { get; } = root;

    public int Hits { get; private set; }
    public int Misses { get; private set; }

    public static string QuerySetHash(IReadOnlyList<TrainingQuery> queries)
    {
        var sb = new StringBuilder();
        foreach (var q in queries) sb.Append(q.Id).Append('\u001f').Append(q.System).Append('\u001f').Append(q.Question).Append('\u001f').Append(q.Reference).Append('\u001e');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())))[..16];
    }

    public string PathFor(string model, string weights, string kind, IReadOnlyList<TrainingQuery> queries) =>
        Path.Combine(Root, $"{model}-{weights}", $"{kind}-{FormatVersion}-{QuerySetHash(queries)}.jsonl");

    /// <summary>The cached records when complete and in query order; else measures them, writes them atomically and returns them.</summary>
    public T[] GetOrMeasure<T>(string path, IReadOnlyList<TrainingQuery> queries, Func<T, string> id, Func<T[]> measure)
    {
        lock (this)
        {
            if (TryRead(path, queries, id) is { } cached) return cached;
            Misses++;
        }
        var records = measure();
        JsonlFile.WriteAll(path, records);
        return records;
    }

    /// <summary>The cached records when complete and in query order, else null; never measures (a reader that must not run models).</summary>
    public T[]? TryRead<T>(string path, IReadOnlyList<TrainingQuery> queries, Func<T, string> id)
    {
        if (!File.Exists(path)) return null;
        var cached = JsonlFile.Read<T>(path);
        if (cached.Count != queries.Count || !cached.Select(id).SequenceEqual(queries.Select(q => q.Id))) return null;
        lock (this) Hits++;
        return cached.ToArray();
    }
}
