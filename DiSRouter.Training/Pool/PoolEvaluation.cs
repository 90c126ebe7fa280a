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
    /// Test queries per family for the pool's figures. WHY 1000: the item-level check ("no family a member gets all right
    /// or all wrong") cannot tell 99.6 % from 100 % on a few hundred items: nano-5 answers 99.6 % of arithmetic (12 wrong of
    /// 3000), which 300 items read as all right about one time in three (they did). At 100 a family near 50 % also
    /// carried ±5 points of sampling error, enough to reorder neighbouring members. A greedy pass over 1000 a family
    /// takes about four and a half minutes for the pool on one thread.
    /// </summary>
    public const int DefaultItemsPerFamily = 1000;

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
