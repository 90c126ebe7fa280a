using System.Diagnostics;
using DiSRouter.Models;
using DiSRouter.Models.Inference;
using DiSRouter.Models.Tokenization;

namespace DiSRouter.Training.Pool;

/// <summary>One query to put to a model: its family and domain, the encoded prompt and how to grade the reply.</summary>
internal sealed record EvalQuery(string Family, string Domain, int[] Prompt, Func<string, bool> IsCorrect, int Difficulty = 0);

/// <summary>What one model did with one query.</summary>
internal sealed record EvalOutcome(EvalQuery Query, string Text, bool Correct, int Tokens, double LatencyMs);

/// <summary>Accuracy, latency and answer length over a set of outcomes (one family, or one domain as "all").</summary>
internal sealed record EvalSummary(string Model, string Family, string Domain, int N, double Accuracy, double MeanLatencyMs, double MeanTokens)
{
    public static EvalSummary Of(string model, string family, string domain, IReadOnlyCollection<EvalOutcome> outcomes) => new(
        model, family, domain, outcomes.Count,
        outcomes.Count == 0 ? 0 : outcomes.Count(o => o.Correct) / (double)outcomes.Count,
        outcomes.Count == 0 ? 0 : outcomes.Average(o => o.LatencyMs),
        outcomes.Count == 0 ? 0 : outcomes.Average(o => (double)o.Tokens));
}

/// <summary>
/// Greedy evaluation of one model. Queries run concurrently (the generator is thread-safe), one per
/// core, so a family of a hundred queries costs about what fifty sequential ones would; each query's
/// latency is its own wall time from prompt to last token, as an agent serving it would see. A few untimed
/// queries go first, so that the first model of a run does not pay the JIT's warm-up in its latency.
/// </summary>
internal static class PoolEvaluator
{
    /// <summary>Untimed queries before the timed ones (the last of the list: the first timed ones meet no prompt cache hit).</summary>
    public const int WarmupQueries = 8;

    public static IReadOnlyList<EvalOutcome> Run(TransformerModel model, ITokenizer tokenizer, IReadOnlyList<EvalQuery> queries,
        int maxNewTokens, int parallelism, Action? onQueryDone = null, CancellationToken ct = default)
    {
        var generator = new Generator(model, tokenizer);
        var options = new GenerationOptions { MaxNewTokens = maxNewTokens, Temperature = 0 };
        var outcomes = new EvalOutcome[queries.Count];
        Parallel.For(0, Math.Min(WarmupQueries, queries.Count), new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = ct },
            i => generator.Generate(queries[queries.Count - 1 - i].Prompt, options, ct: ct));
        Parallel.For(0, queries.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = ct }, i =>
        {
            var q = queries[i];
            var clock = Stopwatch.StartNew();
            var result = generator.Generate(q.Prompt, options, ct: ct)[0];
            double ms = clock.Elapsed.TotalMilliseconds;
            outcomes[i] = new EvalOutcome(q, result.Text, q.IsCorrect(result.Text), result.TokenIds.Count(), ms);
            onQueryDone?.Invoke();
        });
        return outcomes;
    }

    /// <summary>Per family (in first-seen order) then "all" per domain, the lines the evaluate command prints.</summary>
    public static IReadOnlyList<EvalSummary> Summarise(string model, IReadOnlyList<EvalOutcome> outcomes)
    {
        var lines = outcomes.GroupBy(o => (o.Query.Family, o.Query.Domain))
            .Select(g => EvalSummary.Of(model, g.Key.Family, g.Key.Domain, g.ToArray())).ToList();
        foreach (var domain in new[] { "id", "ood" })
        {
            var inDomain = outcomes.Where(o => o.Query.Domain == domain).ToArray();
            if (inDomain.Length > 0) lines.Add(EvalSummary.Of(model, "all", domain, inDomain));
        }
        return lines;
    }
}
