using System.Collections.Concurrent;
using DiSRouter.Models.Tokenization;

namespace DiSRouter.Training.Pool;

/// <summary>
/// Each trained member's test figures for the manifest, computed once, by whichever thread asks first: a training lane
/// with nothing left to train, or the manifest after training. A member whose files and evaluation settings match the
/// previous manifest keeps that manifest's figures.
/// </summary>
internal sealed class MemberEvaluations(ITokenizer tokenizer, PoolPretraining.Options o)
{
    internal sealed record Figures(AccuracyInfo Accuracy, double LatencyMs, double Tokens, IReadOnlyDictionary<string, string> Files);

    private readonly ConcurrentDictionary<string, Lazy<Figures>> _figures = new();
    private readonly Lazy<IReadOnlyList<EvalQuery>> _queries = new(() => NanoWorld.Queries("test", o.EvalItemsPerFamily, tokenizer, o.Corpus));
    private readonly Lazy<PoolManifest?> _previous = new(() =>
    {
        var path = Path.Combine(o.PoolDirectory, PoolManifest.FileName);
        return File.Exists(path) ? PoolManifest.Load(path) : null;
    });

    private readonly IReadOnlyList<string> _families = NanoWorld.Suite(o.Corpus).Families.Select(f => f.Name).ToList();

    // The members measured in this run (not taken from the previous manifest), each with whether a free lane measured it.
    private readonly ConcurrentDictionary<string, bool> _measured = new();

    /// <summary>The members measured in this run rather than taken from the previous manifest.</summary>
    public IReadOnlyCollection<string> Measured => [.. _measured.Keys];

    /// <summary>The members measured by a training lane that had nothing left to train (their latency beside training).</summary>
    public IReadOnlyCollection<string> OnFreeLane => [.. _measured.Where(m => m.Value).Select(m => m.Key)];

    /// <summary>The previous manifest's evaluation, when there was one.</summary>
    public EvaluationInfo? PreviousEvaluation => _previous.Value?.Evaluation;

    public Figures Evaluate(PoolMemberSpec spec, int parallelism, IPoolProgress progress, CancellationToken ct, bool onFreeLane = false) =>
        _figures.GetOrAdd(spec.Name, _ => new Lazy<Figures>(() =>
        {
            var (figures, measured) = Compute(spec, parallelism, progress, ct);
            if (measured) _measured[spec.Name] = onFreeLane;
            return figures;
        })).Value;

    private (Figures Figures, bool Measured) Compute(PoolMemberSpec spec, int parallelism, IPoolProgress progress, CancellationToken ct)
    {
        var directory = Path.Combine(o.PoolDirectory, spec.Name);
        var files = PoolManifest.HashFiles(directory);
        var previous = _previous.Value;
        bool sameEvaluation = previous?.Evaluation is { } e && e.Split == "test" && e.ItemsPerFamily == o.EvalItemsPerFamily
            && e.Families is { } evaluated && evaluated.SequenceEqual(_families);
        var old = previous?.Find(spec.Name);
        if (sameEvaluation && old?.Accuracy is not null && old.Files.Count == files.Count && old.Files.All(f => files.GetValueOrDefault(f.Key) == f.Value))
        {
            progress.Info($"{spec.Name}: unchanged since the last manifest; evaluation reused");
            return (new Figures(old.Accuracy, old.MeanLatencyMs ?? 0, old.MeanTokens ?? 0, files), false);
        }
        var queries = _queries.Value;
        var bar = progress.Bar($"{spec.Name} evaluating", queries.Count);
        int done = 0;
        var member = new PoolMemberOnDisk(spec.Name, directory, spec.MaxNewTokens);
        var (lines, outcomes) = PoolEvaluation.EvaluateMember(member, queries, parallelism, () => bar.Update(Interlocked.Increment(ref done)), ct);
        bar.Finish();
        return (new Figures(PoolEvaluation.Accuracy(lines), Math.Round(outcomes.Average(x => x.LatencyMs), 2),
            Math.Round(outcomes.Average(x => (double)x.Tokens), 1), files), true);
    }
}
