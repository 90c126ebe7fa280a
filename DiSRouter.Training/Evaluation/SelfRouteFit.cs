using System.Globalization;
using System.Text.Json;
using DiSRouter.Core.Evaluation.Routers;
using DiSRouter.Models.Checkpoints;
using DiSRouter.Training.SelfAwareness;

namespace DiSRouter.Training.Evaluation;

/// <summary>
/// <c>fit self-route</c>: fits the Self-Route router the gateway serves (its <c>disrouter-self-route</c> alias) on the
/// validation split and writes it as a <see cref="SelfRouteFile"/> beside the served agents. The heads learn the queries'
/// family and difficulty labels; the registry holds each served checkpoint's accuracy per family × difficulty when it is
/// told to answer (its decision prompt at <see cref="AnswerAlpha"/>, then the answer template: what an agent the gateway
/// forwards to with the answer header gives), measured through the report's reply cache. WHY the served checkpoints and
/// not the base models the report's self-route row reads: the gateway forwards to the served agents, and the file is
/// bound to their weights, so a retrained agent makes it stale rather than silently wrong.
/// </summary>
internal static class SelfRouteFit
{
    /// <summary>The α whose decision prompt the registry's answers were given under (the report measures the named α; 0.5 is the middle one).</summary>
    public const double AnswerAlpha = 0.5;

    public static int Run(RoutingReportOptions options, string outFile, string command, TextWriter output, TextWriter error, CancellationToken ct)
    {
        if (options.Validate() is { } problem) { error.WriteLine(problem); return SelfAwareCli.BadInput; }
        if (RoutingReportCommand.LoadAgents(options, error) is not { } agents) return SelfAwareCli.BadInput;

        var sets = RoutingQuerySets.Draw(SelfAwareCli.NanoSuite(), options.ItemsPerFamily, 1, 1, options.FreshSeed);
        var cache = new ReplyCache(options.CacheDirectory);
        var data = new RoutingData(cache, s => new TaskReplyGrader(sets.Items[s.Name]), options.Parallelism, lastAgentAlpha: AnswerAlpha);
        IReadOnlyList<SetMeasurements>? measured = null;
        var rc = SelfAwareCli.RunStage("fit self-route", output, error, progress =>
        {
            measured = data.Measure(agents, [new MeasurementPlan(sets.Validation, [AnswerAlpha], [], [])], progress, ct);
            return SelfAwareCli.Ok;
        });
        if (rc != SelfAwareCli.Ok) return rc;

        var validation = measured!.Single();
        var queries = validation.Set.Queries.Select(q => new RoutedQuery(q.Question, q.Family, q.Difficulty)).ToList();
        var correct = validation.Agents.Select(a => (IReadOnlyList<bool>)a.Rl[AnswerAlpha].Select(d => d.Correct).ToArray()).ToList();
        var router = new SelfRouteRouter(queries, correct, new NGramFeatures(), seed: options.Seed);
        var bound = agents.Select(a => new SelfRouteAgent(a.Name, WeightsFingerprint.Of(Checkpoint.Load(a.Rl!).Model), a.Cost)).ToList();
        var statements = queries.Select(q => router.State(q.Text)).ToList();
        var inv = CultureInfo.InvariantCulture;
        var fittedOn = JsonSerializer.SerializeToElement(new Dictionary<string, object>
        {
            ["split"] = RoutingQuerySets.ValidationName,
            ["queries"] = queries.Count,
            ["answers"] = $"each served checkpoint told to answer (its decision prompt at alpha {AnswerAlpha.ToString(inv)}, then the answer template), greedy, graded against the reference",
            ["accuracy"] = agents.Select((a, k) => $"{a.Name} {correct[k].Average(c => c ? 1.0 : 0.0).ToString("0.000", inv)}").ToList(),
            ["statement_accuracy_on_fit"] = $"family {statements.Select((s, i) => s.Family == queries[i].Family ? 1.0 : 0.0).Average().ToString("0.000", inv)}, " +
                $"difficulty {statements.Select((s, i) => s.Difficulty == queries[i].Difficulty ? 1.0 : 0.0).Average().ToString("0.000", inv)}",
            ["seed"] = options.Seed,
            ["command"] = command,
        });
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outFile))!);
        router.ToFile(bound, fittedOn).Save(outFile);
        // The file's weights are float32: how many validation statements the served router states otherwise than the fitted one.
        var served = SelfRouteRouter.FromFile(SelfRouteFile.Load(outFile));
        int differ = queries.Count(q => served.State(q.Text) != router.State(q.Text));
        // What one request's routing costs in the gateway: the heads' forward and the choice, per query, in this process.
        var costs = bound.Select(b => b.Cost).ToArray();
        var routeMs = queries.Select(q =>
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            served.Route(q.Text, AnswerAlpha, costs);
            return clock.Elapsed.TotalMilliseconds;
        }).ToArray();
        output.WriteLine($"wrote {outFile} ({new FileInfo(outFile).Length / 1024.0:0} KiB): {queries.Count} validation queries, agents " +
            string.Join(", ", bound.Select(b => $"{b.Name} ({b.WeightsSha256})")) + $"; the file's router states {differ} of them otherwise than the fitted one; " +
            $"routing one query takes {Core.Evaluation.Metrics.Percentile.Of(routeMs, 0.5).ToString("0.000", inv)} ms p50, " +
            $"{Core.Evaluation.Metrics.Percentile.Of(routeMs, 0.99).ToString("0.000", inv)} ms p99 (in process); " +
            $"cache {cache.Hits} hits, {cache.Misses} misses");
        return SelfAwareCli.Ok;
    }
}
