using System.Globalization;
using System.Text.Json;
using DiSRouter.Models.Checkpoints;
using DiSRouter.Training.SelfAwareness;

namespace DiSRouter.Training.Evaluation;

/// <summary>
/// <c>fit bids</c>: each served agent's bid scale (<see cref="BidScale"/>, bid.json beside its weights), the map the
/// routing report's <c>disrouter-bids</c> row uses (<see cref="BidScales"/>): its logit gap under the
/// <see cref="RoutingReport.BidAlpha"/> prompt to the probability that its own answer is right, fitted on its own
/// validation decisions and graded answers only. It reads them from the report's reply cache and never runs a model:
/// WHY, the scale must be fitted on exactly the decisions the report's row was read on, and measuring them is the
/// report's job (<c>report routing --validation-decisions</c>).
/// </summary>
internal static class BidFit
{
    public const string FillCommand = "dotnet run -c Release --project DiSRouter.Training -- report routing --validation-decisions";

    public static int Run(RoutingReportOptions options, string command, TextWriter output, TextWriter error)
    {
        if (options.Validate() is { } problem) { error.WriteLine(problem); return SelfAwareCli.BadInput; }
        if (RoutingReportCommand.LoadAgents(options, error) is not { } agents) return SelfAwareCli.BadInput;

        var validation = RoutingQuerySets.Draw(SelfAwareCli.NanoSuite(), options.ItemsPerFamily, 1, 1, options.FreshSeed).Validation;
        var cache = new ReplyCache(options.CacheDirectory);
        var measured = new List<AgentMeasurements>();
        var weights = new List<string>();
        var missing = new List<string>();
        foreach (var agent in agents)
        {
            var ckpt = Checkpoint.Load(agent.Rl!);
            var sha = WeightsFingerprint.Of(ckpt.Model);
            var kind = RoutingData.SelfAwareKind("decide", Core.Scenarios.ScenarioPromptFile.Read(agent.Rl!), RoutingReport.BidAlpha, agent.MaxNewTokens);
            var path = cache.PathFor($"{agent.Name}-rl", sha, kind, validation.Queries);
            if (cache.TryRead<MeasuredDecision>(path, validation.Queries, d => d.Id) is not { } decisions) { missing.Add($"{agent.Name}: {path}"); continue; }
            weights.Add(sha);
            measured.Add(new AgentMeasurements(agent.Name, agent.Cost, [], [], new Dictionary<double, MeasuredDecision[]> { [RoutingReport.BidAlpha] = decisions },
                new Dictionary<double, MeasuredDecision[]>(), null, null));
        }
        if (missing.Count > 0)
        {
            error.WriteLine($"The reply cache {options.CacheDirectory} lacks the served agents' validation decisions under the α = " +
                $"{RoutingReport.BidAlpha.ToString(CultureInfo.InvariantCulture)} prompt (no complete file at {string.Join("; ", missing)}). " +
                $"Measure them with `{FillCommand}` (same --items-per-family and --cache), then run this again.");
            return SelfAwareCli.Failed;
        }

        var set = new SetMeasurements(validation, measured);
        if (BidScales.Fit(set) is not { } scales)
        {
            error.WriteLine($"The cached validation decisions carry no graded answers; measure them with `{FillCommand}`.");
            return SelfAwareCli.Failed;
        }
        var reportBids = scales.Bids(set)!;
        var inv = CultureInfo.InvariantCulture;
        for (int k = 0; k < agents.Count; k++)
        {
            var decisions = measured[k].Rl[RoutingReport.BidAlpha];
            var (weight, bias, l2) = scales.Map(k);
            var bid = new BidScale
            {
                PromptAlpha = RoutingReport.BidAlpha,
                Weight = weight,
                Bias = bias,
                WeightsSha256 = weights[k],
                Fit = JsonSerializer.SerializeToElement(new Dictionary<string, object>
                {
                    ["split"] = RoutingQuerySets.ValidationName,
                    ["rows"] = decisions.Length,
                    ["share_right"] = Math.Round(decisions.Average(d => d.Correct ? 1.0 : 0.0), 4),
                    ["l2"] = l2,
                    ["model"] = "one-feature logistic regression on the agent's own graded answers (L2 by 5-fold cross-validated log loss)",
                    ["date"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd", inv),
                    ["command"] = command,
                }),
            };
            bid.Write(agents[k].Rl!);
            // The file's map against the report's: the same probabilities on every validation row, to rounding.
            double largest = decisions.Select((d, i) => Math.Abs(bid.Probability(d.LogitGap) - reportBids[k][i])).Max();
            output.WriteLine($"wrote {Path.Combine(agents[k].Rl!, BidScale.FileName)}: {agents[k].Name} ({weights[k]}), log-odds = " +
                $"{weight.ToString("0.0000", inv)}·gap {(bias < 0 ? "−" : "+")} {Math.Abs(bias).ToString("0.0000", inv)}, {decisions.Length} rows, " +
                $"{bid.Fit!.Value.GetProperty("share_right").GetDouble().ToString("0.000", inv)} right, L2 {l2.ToString(inv)}; " +
                $"largest difference from the report's bid on validation {largest.ToString("0.0e0", inv)}");
        }
        output.WriteLine($"cache {cache.Hits} hits, {cache.Misses} misses");
        return SelfAwareCli.Ok;
    }
}
