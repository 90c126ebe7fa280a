using DiSRouter.Models.Checkpoints;

namespace DiSRouter.Training.Pool;

/// <summary>A pool member found on disk, ready to evaluate: where it is and how long it may answer.</summary>
internal sealed record PoolMemberOnDisk(string Name, string Directory, int MaxNewTokens);

/// <summary>
/// Evaluates every member of a pool on the same queries, in pool order; used by <c>evaluate</c> and by
/// <c>pretrain</c> (which writes the figures into the manifest).
/// </summary>
internal static class PoolEvaluation
{
    /// <summary>
    /// Test queries per family for the pool's figures. WHY 300: at 100 a family's accuracy near 50 % carries ±5 points
    /// of sampling error, enough to reorder neighbouring members (nano-3 and nano-5 out of domain: 25.8 and 24.6 % at 100
    /// items, 25.6 and 27.0 % at 300); a greedy pass over 300 a family takes about a minute and a half for the pool.
    /// </summary>
    public const int DefaultItemsPerFamily = 300;

    /// <summary>The members in cascade order: from the manifest when there is one, else those of the spec that exist.</summary>
    public static IReadOnlyList<PoolMemberOnDisk> Members(string poolDirectory, IReadOnlyList<PoolMemberSpec> spec)
    {
        var manifestPath = Path.Combine(poolDirectory, PoolManifest.FileName);
        if (File.Exists(manifestPath))
            return PoolManifest.Load(manifestPath).Models
                .Select(m => new PoolMemberOnDisk(m.Name, Path.Combine(poolDirectory, m.Directory), m.MaxNewTokens)).ToArray();
        return spec.Select(s => new PoolMemberOnDisk(s.Name, Path.Combine(poolDirectory, s.Name), s.MaxNewTokens))
            .Where(m => File.Exists(Path.Combine(m.Directory, "config.json"))).ToArray();
    }

    public static (IReadOnlyList<EvalSummary> Lines, IReadOnlyList<EvalOutcome> Outcomes) EvaluateMember(
        PoolMemberOnDisk member, IReadOnlyList<EvalQuery> queries, int parallelism, Action? onQueryDone = null, CancellationToken ct = default)
    {
        var loaded = Checkpoint.Load(member.Directory);
        var outcomes = PoolEvaluator.Run(loaded.Model, loaded.Tokenizer, queries, member.MaxNewTokens, parallelism, onQueryDone, ct);
        return (PoolEvaluator.Summarise(member.Name, outcomes), outcomes);
    }

    public static AccuracyInfo Accuracy(IReadOnlyList<EvalSummary> lines) => new()
    {
        InDomain = Math.Round(lines.FirstOrDefault(l => l.Family == "all" && l.Domain == "id")?.Accuracy ?? double.NaN, 4),
        OutOfDomain = Math.Round(lines.FirstOrDefault(l => l.Family == "all" && l.Domain == "ood")?.Accuracy ?? double.NaN, 4),
        Families = lines.Where(l => l.Family != "all").ToDictionary(l => l.Family, l => Math.Round(l.Accuracy, 4)),
    };
}
