using System.Diagnostics;
using System.Globalization;
using DiSRouter.Models.Checkpoints;
using DiSRouter.Models.Kernels;
using DiSRouter.Training.SelfAwareness;

namespace DiSRouter.Training.Evaluation;

/// <summary>One agent of the pool as the routing report sees it: its base and self-aware checkpoints and its cost.</summary>
internal sealed record RoutingAgent(string Name, double Cost, string Base, string? Sft, string? Rl, int MaxNewTokens);

/// <summary>A named set of queries (validation, test, out of domain, a fresh draw) with the items that grade them.</summary>
internal sealed record QuerySet(string Name, IReadOnlyList<TrainingQuery> Queries);

/// <summary>
/// One agent's measurements on one query set: base greedy replies and their self-verifications (none for the last
/// agent, whose answer is always returned), and per α its self-aware decisions.
/// </summary>
internal sealed record AgentMeasurements(
    string Name,
    double Cost,
    MeasuredReply[] Base,
    MeasuredVerification[] Verify,
    IReadOnlyDictionary<double, MeasuredDecision[]> Rl,
    IReadOnlyDictionary<double, MeasuredDecision[]> Sft,
    DecisionThresholds? RlThresholds,
    DecisionThresholds? SftThresholds)
{
    /// <summary>Per α, the served checkpoint's state where it decides (hidden state and gap); empty unless the plan asked for it.</summary>
    public IReadOnlyDictionary<double, MeasuredState[]> States { get; init; } = new Dictionary<double, MeasuredState[]>();

    /// <summary>The base model's p(x) on each query (share of sampled answers right); empty unless the plan asked for it.</summary>
    public MeasuredCapability[] Capability { get; init; } = [];
}

/// <summary>One kind of model pass as this run measured it: files (cache misses), passes, wall and process CPU seconds.</summary>
internal sealed record MeasuringCost(string Kind, int Files, int Passes, double WallSeconds, double CpuSeconds);

internal sealed record SetMeasurements(QuerySet Set, IReadOnlyList<AgentMeasurements> Agents);

/// <summary>
/// What to measure on a query set: the α at which the self-aware checkpoints decide and answer, and those at which only
/// their decision is measured (a prompt pass; the answer is taken from the nearest α that has one).
/// </summary>
internal sealed record MeasurementPlan(QuerySet Set, IReadOnlyList<double> RlAlphas, IReadOnlyList<double> RlDecisionOnly, IReadOnlyList<double> SftAlphas)
{
    /// <summary>The α at which the served checkpoints' decision states (hidden state at the decision position) are measured; none for the last agent.</summary>
    public IReadOnlyList<double> StateAlphas { get; init; } = [];

    /// <summary>Samples per query for each base model's p(x) on this set (<see cref="RoutingReportOptions.CapabilitySamples"/>); 0: not measured.</summary>
    public int CapabilitySamples { get; init; }

    /// <summary>
    /// A set only the deciding agents' own state and answers are measured on (the probe's training queries): no base
    /// replies, no verifications, nothing of the last agent (it always answers, so it needs no probe).
    /// </summary>
    public bool DecidingAgentsOnly { get; init; }
}

/// <summary>
/// Measures every agent on every query set through the <see cref="ReplyCache"/>: a rerun with the same checkpoints and
/// queries loads instead of generating. Models are loaded one at a time (each measured on every set before the next).
/// <paramref name="parallelism"/> queries (or batches) run at once, each on <see cref="EngineThreads.Count"/> =
/// processors / parallelism threads: WHY, two single-threaded queries keep two cores busy, where two queries each asking
/// for both cores oversubscribe them (one runs inline while the other's worker spins). The kernels split work by shape,
/// never by thread count, so the results are the same bits either way.
/// </summary>
/// <param name="lastAgentAlpha">
/// Where set, the last agent's served checkpoint is measured at this α alone and its record stands for every α: the last
/// agent always answers, so its decision is never read, and only its answer (here the one given under this α's prompt) is.
/// </param>
internal sealed class RoutingData(ReplyCache cache, Func<QuerySet, IReplyGrader> graderFor, int parallelism, double? lastAgentAlpha = null)
{
    private readonly Dictionary<string, MeasuringCost> _costs = [];

    /// <summary>What this run spent measuring (cache misses only), per kind of pass: files, passes, wall and process CPU seconds.</summary>
    public IReadOnlyList<MeasuringCost> Costs => [.. _costs.Values];

    /// <summary>The seed of the p(x) samples (each query's own stream is derived from it and the query's id).</summary>
    private const int CapabilitySeed = 1;

    // Measures one file's records, timing the wall clock and the process's CPU time around it: the run's own profile.
    private Func<T[]> Timed<T>(string kind, Func<T[]> measure) => () =>
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var records = measure();
        double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        lock (_costs)
        {
            var c = _costs.GetValueOrDefault(kind) ?? new MeasuringCost(kind, 0, 0, 0, 0);
            _costs[kind] = c with { Files = c.Files + 1, Passes = c.Passes + records.Length, WallSeconds = c.WallSeconds + clock.Elapsed.TotalSeconds, CpuSeconds = c.CpuSeconds + cpuSeconds };
        }
        return records;
    };

    public IReadOnlyList<SetMeasurements> Measure(IReadOnlyList<RoutingAgent> agents, IReadOnlyList<MeasurementPlan> plans,
        Action<StageProgress>? progress = null, CancellationToken ct = default)
    {
        int engineThreads = EngineThreads.Count;
        EngineThreads.Count = Math.Max(1, Environment.ProcessorCount / Math.Max(1, parallelism));
        try
        {
            var counter = new Progress(progress, plans.Sum(p => (long)p.Set.Queries.Count * agents.Count * (2 + p.RlAlphas.Count + p.RlDecisionOnly.Count + p.SftAlphas.Count + p.StateAlphas.Count + (p.CapabilitySamples > 0 ? 1 : 0))));
            var byAgent = agents.Select(agent => MeasureAgent(agent, ReferenceEquals(agent, agents[^1]), plans, counter, ct)).ToList(); // [agent][plan]
            return plans.Select((plan, p) => new SetMeasurements(plan.Set, byAgent.Select(a => a[p]).ToList())).ToList();
        }
        finally
        {
            EngineThreads.Count = engineThreads;
        }
    }

    private AgentMeasurements[] MeasureAgent(RoutingAgent agent, bool last, IReadOnlyList<MeasurementPlan> plans, Progress counter, CancellationToken ct)
    {
        var (baseReplies, verifications, capability) = MeasureBase(agent, last, plans, counter, ct);
        var (rl, rlThresholds) = MeasureSelfAware(agent, "rl", agent.Rl, last, plans, p => last && p.DecidingAgentsOnly ? [] : p.RlAlphas,
            p => last && p.DecidingAgentsOnly ? [] : p.RlDecisionOnly, counter, ct);
        var (sft, sftThresholds) = MeasureSelfAware(agent, "sft", agent.Sft, last, plans, p => p.SftAlphas, _ => [], counter, ct);
        var states = last ? plans.Select(_ => new Dictionary<double, MeasuredState[]>()).ToArray() : MeasureStates(agent, plans, counter, ct);
        return plans.Select((_, p) => new AgentMeasurements(agent.Name, agent.Cost, baseReplies[p], verifications[p], rl[p], sft[p], rlThresholds, sftThresholds)
            { States = states[p], Capability = capability[p] }).ToArray();
    }

    /// <summary>
    /// The base model's greedy replies on every set, (but for the last agent) its verification of each, and where the
    /// plan asks for it its p(x) on each query.
    /// </summary>
    private (MeasuredReply[][] Replies, MeasuredVerification[][] Verifications, MeasuredCapability[][] Capability) MeasureBase(RoutingAgent agent, bool last, IReadOnlyList<MeasurementPlan> plans,
        Progress counter, CancellationToken ct)
    {
        var ckpt = Checkpoint.Load(agent.Base);
        var weights = WeightsFingerprint.Of(ckpt.Model);
        var replies = new MeasuredReply[plans.Count][];
        var verifications = new MeasuredVerification[plans.Count][];
        var capability = new MeasuredCapability[plans.Count][];
        for (int p = 0; p < plans.Count; p++)
        {
            var set = plans[p].Set;
            capability[p] = [];
            if (plans[p].DecidingAgentsOnly) { (replies[p], verifications[p]) = ([], []); continue; }
            var runner = new MeasuringRunner(ckpt.Model, ckpt.Tokenizer, graderFor(set), agent.MaxNewTokens, parallelism);
            var model = agent.Name + "-base";
            replies[p] = cache.GetOrMeasure(cache.PathFor(model, weights, $"base-{agent.MaxNewTokens}", set.Queries),
                set.Queries, r => r.Id, Timed("base answers (generation) + their log-probabilities (batched)", () => runner.Base(set.Queries, counter.Tick(agent.Name, $"base {set.Name}"), ct)));
            var answers = replies[p];
            verifications[p] = last ? [] : cache.GetOrMeasure(cache.PathFor(model, weights, $"verify-{agent.MaxNewTokens}", set.Queries),
                set.Queries, r => r.Id, Timed("AutoMix verifications (batched prompt passes)", () => runner.Verify(set.Queries, answers, counter.Tick(agent.Name, $"verify {set.Name}"), ct)));
            if (plans[p].CapabilitySamples is > 0 and var n)
            {
                const double t = RoutingReportOptions.CapabilityTemperature;
                var sampler = new ReplyRunner(ckpt.Model, ckpt.Tokenizer, graderFor(set), agent.MaxNewTokens, parallelism);
                capability[p] = cache.GetOrMeasure(cache.PathFor(model, weights, $"capability-{t.ToString("0.00", CultureInfo.InvariantCulture)}-{n}-{agent.MaxNewTokens}", set.Queries),
                    set.Queries, r => r.Id, Timed("p(x): sampled base answers", () =>
                    {
                        var px = sampler.Capability(set.Queries, n, t, CapabilitySeed, counter.Tick(agent.Name, $"p(x) {set.Name}"), ct);
                        return set.Queries.Select((q, i) => new MeasuredCapability(q.Id, px[i], n)).ToArray();
                    }));
            }
        }
        return (replies, verifications, capability);
    }

    /// <summary>
    /// A self-aware checkpoint (served or SFT-only) on every set: decision and answer at the plan's full α, the decision
    /// alone at its other α; the last agent once, at <c>lastAgentAlpha</c>, standing for every α.
    /// </summary>
    private (Dictionary<double, MeasuredDecision[]>[] PerPlan, DecisionThresholds? Thresholds) MeasureSelfAware(RoutingAgent agent, string variant, string? dir, bool last,
        IReadOnlyList<MeasurementPlan> plans, Func<MeasurementPlan, IReadOnlyList<double>> fullAlphas, Func<MeasurementPlan, IReadOnlyList<double>> decisionOnly,
        Progress counter, CancellationToken ct)
    {
        var perPlan = plans.Select(_ => new Dictionary<double, MeasuredDecision[]>()).ToArray();
        if (dir is null) return (perPlan, null);
        var ckpt = Checkpoint.Load(dir);
        var weights = WeightsFingerprint.Of(ckpt.Model);
        var thresholds = DecisionThresholds.TryRead(dir);
        if (thresholds is not null && thresholds.WeightsSha256 != weights)
            throw new InvalidOperationException($"{Path.Combine(dir, DecisionThresholds.FileName)} was calibrated on other weights ({thresholds.WeightsSha256}, these are {weights}).");
        string model = $"{agent.Name}-{variant}";
        var style = Core.Scenarios.ScenarioPromptFile.Read(dir);
        for (int p = 0; p < plans.Count; p++)
        {
            var set = plans[p].Set;
            var runner = new MeasuringRunner(ckpt.Model, ckpt.Tokenizer, graderFor(set), agent.MaxNewTokens, parallelism) { Style = style };
            var (full, only) = (fullAlphas(plans[p]), decisionOnly(plans[p]));
            string Kind(string what, double alpha) => SelfAwareKind(what, style, alpha, agent.MaxNewTokens);
            if (lastAgentAlpha is { } a && last && full.Count > 0)
            {
                var records = cache.GetOrMeasure(cache.PathFor(model, weights, Kind("decide", a), set.Queries),
                    set.Queries, r => r.Id, Timed("self-aware decision + answer (prompt pass, generation)", () => runner.Decide(set.Queries, a, counter.Tick(agent.Name, $"{variant} α={a:0.00} {set.Name}"), ct)));
                foreach (var alpha in full.Concat(only)) perPlan[p][alpha] = records;
                continue;
            }
            foreach (var alpha in full)
                perPlan[p][alpha] = cache.GetOrMeasure(cache.PathFor(model, weights, Kind("decide", alpha), set.Queries),
                    set.Queries, r => r.Id, Timed("self-aware decision + answer (prompt pass, generation)", () => runner.Decide(set.Queries, alpha, counter.Tick(agent.Name, $"{variant} α={alpha:0.00} {set.Name}"), ct)));
            foreach (var alpha in only)
                perPlan[p][alpha] = cache.GetOrMeasure(cache.PathFor(model, weights, Kind("gap", alpha), set.Queries),
                    set.Queries, r => r.Id, Timed("self-aware decision alone (batched prompt passes)", () => runner.DecideOnly(set.Queries, alpha, counter.Tick(agent.Name, $"{variant} gap α={alpha:0.00} {set.Name}"), ct)));
        }
        return (perPlan, thresholds);
    }

    /// <summary>The served checkpoint's decision states at each plan's state α (batched prompt passes), through the cache.</summary>
    private Dictionary<double, MeasuredState[]>[] MeasureStates(RoutingAgent agent, IReadOnlyList<MeasurementPlan> plans, Progress counter, CancellationToken ct)
    {
        var perPlan = plans.Select(_ => new Dictionary<double, MeasuredState[]>()).ToArray();
        if (agent.Rl is null || plans.All(p => p.StateAlphas.Count == 0)) return perPlan;
        var ckpt = Checkpoint.Load(agent.Rl);
        var weights = WeightsFingerprint.Of(ckpt.Model);
        var style = Core.Scenarios.ScenarioPromptFile.Read(agent.Rl);
        for (int p = 0; p < plans.Count; p++)
        {
            var set = plans[p].Set;
            var runner = new MeasuringRunner(ckpt.Model, ckpt.Tokenizer, graderFor(set), agent.MaxNewTokens, parallelism) { Style = style };
            foreach (var alpha in plans[p].StateAlphas)
                perPlan[p][alpha] = cache.GetOrMeasure(cache.PathFor($"{agent.Name}-rl", weights, $"state-pooled{StyleKey(style)}-{alpha.ToString("0.00", CultureInfo.InvariantCulture)}", set.Queries),
                    set.Queries, r => r.Id, Timed("self-aware decision state (batched prompt passes, hidden state kept)",
                        () => runner.DecisionStates(set.Queries, alpha, counter.Tick(agent.Name, $"state α={alpha:0.00} {set.Name}"), ct)));
        }
        return perPlan;
    }

    /// <summary>The cache kind of a self-aware checkpoint's pass ("decide-0.50-192"): what it measured, its wording, α and answer budget.</summary>
    internal static string SelfAwareKind(string what, Core.Scenarios.ScenarioPromptStyle style, double alpha, int maxNewTokens) =>
        $"{what}{StyleKey(style)}-{alpha.ToString("0.00", CultureInfo.InvariantCulture)}-{maxNewTokens}";

    /// <summary>
    /// The scenario wording in a self-aware pass's cache kind ("decide-full-0.50-192"), so compact and full-text passes never
    /// share a file; empty for compact, so the files measured before the wording was a choice stay valid.
    /// </summary>
    internal static string StyleKey(Core.Scenarios.ScenarioPromptStyle style) =>
        style == SelfAwarePrompt.Style ? "" : "-" + Core.Scenarios.ScenarioPromptFile.Name(style);

    /// <summary>Queries measured so far against the plan's total, reported per measurement.</summary>
    private sealed class Progress(Action<StageProgress>? report, long total)
    {
        private long _done;

        public Action Tick(string agent, string phase) => () => report?.Invoke(new StageProgress("measure", Interlocked.Increment(ref _done), total, $"{agent} {phase}"));
    }
}
