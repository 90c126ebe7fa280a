using System.Globalization;
using DiSRouter.Models.Checkpoints;
using DiSRouter.Training.SelfAwareness;

namespace DiSRouter.Training.Evaluation;

/// <summary>One agent of the pool as the routing report sees it: its base and self-aware checkpoints and its cost.</summary>
internal sealed record RoutingAgent(string Name, double Cost, string Base, string? Sft, string? Rl, int MaxNewTokens);

/// <summary>A named set of queries (validation, test, out of domain, a fresh draw) with the items that grade them.</summary>
internal sealed record QuerySet(string Name, IReadOnlyList<TrainingQuery> Queries);

/// <summary>One agent's measurements on one query set: base greedy replies, and per α its self-aware decisions.</summary>
internal sealed record AgentMeasurements(
    string Name,
    double Cost,
    MeasuredReply[] Base,
    IReadOnlyDictionary<double, MeasuredDecision[]> Rl,
    IReadOnlyDictionary<double, MeasuredDecision[]> Sft,
    DecisionThresholds? RlThresholds,
    DecisionThresholds? SftThresholds);

internal sealed record SetMeasurements(QuerySet Set, IReadOnlyList<AgentMeasurements> Agents);

/// <summary>
/// What to measure on a query set: the α at which the self-aware checkpoints decide and answer, and those at which only
/// their decision is measured (a prompt pass; the answer is taken from the nearest α that has one).
/// </summary>
internal sealed record MeasurementPlan(QuerySet Set, IReadOnlyList<double> RlAlphas, IReadOnlyList<double> RlDecisionOnly, IReadOnlyList<double> SftAlphas);

/// <summary>
/// Measures every agent on every query set through the <see cref="ReplyCache"/>: a rerun with the same checkpoints and
/// queries loads instead of generating. Models are loaded one at a time (each measured on every set before the next).
/// </summary>
/// <param name="lastAgentAlpha">
/// Where set, the last agent's served checkpoint is measured at this α alone and its record stands for every α: the last
/// agent always answers, so its decision is never read, and only its answer (here the one given under this α's prompt) is.
/// </param>
internal sealed class RoutingData(ReplyCache cache, Func<QuerySet, IReplyGrader> graderFor, int parallelism, double? lastAgentAlpha = null)
{
    public IReadOnlyList<SetMeasurements> Measure(IReadOnlyList<RoutingAgent> agents, IReadOnlyList<MeasurementPlan> plans,
        Action<StageProgress>? progress = null, CancellationToken ct = default)
    {
        long total = plans.Sum(p => (long)p.Set.Queries.Count * agents.Count * (1 + p.RlAlphas.Count + p.RlDecisionOnly.Count + p.SftAlphas.Count)), done = 0;
        var byAgent = new List<AgentMeasurements[]>(); // [agent][plan]
        foreach (var agent in agents)
        {
            var perPlan = plans.Select(_ => (Base: Array.Empty<MeasuredReply>(), Rl: new Dictionary<double, MeasuredDecision[]>(), Sft: new Dictionary<double, MeasuredDecision[]>())).ToArray();
            void Tick(string phase) => progress?.Invoke(new StageProgress("measure", Interlocked.Increment(ref done), total, $"{agent.Name} {phase}"));

            var baseCkpt = Checkpoint.Load(agent.Base);
            var baseWeights = WeightsFingerprint.Of(baseCkpt.Model);
            for (int p = 0; p < plans.Count; p++)
            {
                var (set, grader) = (plans[p].Set, graderFor(plans[p].Set));
                var runner = new MeasuringRunner(baseCkpt.Model, baseCkpt.Tokenizer, grader, agent.MaxNewTokens, parallelism);
                perPlan[p].Base = cache.GetOrMeasure(cache.PathFor(agent.Name + "-base", baseWeights, $"base-{agent.MaxNewTokens}", set.Queries),
                    set.Queries, r => r.Id, () => runner.Base(set.Queries, () => Tick($"base {set.Name}"), ct));
            }
            DecisionThresholds? rlThresholds = null, sftThresholds = null;
            foreach (var (variant, dir) in new[] { ("rl", agent.Rl), ("sft", agent.Sft) })
            {
                if (dir is null) continue;
                var ckpt = Checkpoint.Load(dir);
                var weights = WeightsFingerprint.Of(ckpt.Model);
                var thresholds = DecisionThresholds.TryRead(dir);
                if (thresholds is not null && thresholds.WeightsSha256 != weights)
                    throw new InvalidOperationException($"{Path.Combine(dir, DecisionThresholds.FileName)} was calibrated on other weights ({thresholds.WeightsSha256}, these are {weights}).");
                if (variant == "rl") rlThresholds = thresholds; else sftThresholds = thresholds;
                for (int p = 0; p < plans.Count; p++)
                {
                    var (set, grader) = (plans[p].Set, graderFor(plans[p].Set));
                    var runner = new MeasuringRunner(ckpt.Model, ckpt.Tokenizer, grader, agent.MaxNewTokens, parallelism);
                    var target = variant == "rl" ? perPlan[p].Rl : perPlan[p].Sft;
                    var full = variant == "rl" ? plans[p].RlAlphas : plans[p].SftAlphas;
                    var only = variant == "rl" ? plans[p].RlDecisionOnly : [];
                    if (lastAgentAlpha is { } last && ReferenceEquals(agent, agents[^1]) && full.Count > 0)
                    {
                        var records = cache.GetOrMeasure(
                            cache.PathFor($"{agent.Name}-{variant}", weights, $"decide-{last.ToString("0.00", CultureInfo.InvariantCulture)}-{agent.MaxNewTokens}", set.Queries),
                            set.Queries, r => r.Id, () => runner.Decide(set.Queries, last, true, () => Tick($"{variant} α={last:0.00} {set.Name}"), ct));
                        foreach (var alpha in full.Concat(only)) target[alpha] = records;
                        continue;
                    }
                    foreach (var (alpha, withAnswer) in full.Select(a => (a, true)).Concat(only.Select(a => (a, false))))
                        target[alpha] = cache.GetOrMeasure(
                            cache.PathFor($"{agent.Name}-{variant}", weights, $"{(withAnswer ? "decide" : "gap")}-{alpha.ToString("0.00", CultureInfo.InvariantCulture)}-{agent.MaxNewTokens}", set.Queries),
                            set.Queries, r => r.Id, () => runner.Decide(set.Queries, alpha, withAnswer, () => Tick($"{variant} α={alpha:0.00} {set.Name}"), ct));
                }
            }
            byAgent.Add(perPlan.Select(x => new AgentMeasurements(agent.Name, agent.Cost, x.Base, x.Rl, x.Sft, rlThresholds, sftThresholds)).ToArray());
        }
        return plans.Select((plan, p) => new SetMeasurements(plan.Set, byAgent.Select(a => a[p]).ToList())).ToList();
    }
}
