using System.Diagnostics;
using System.Diagnostics.Metrics;
using DiSRouter.Agents.Backends;

namespace DiSRouter.Agents.Telemetry;

/// <summary>
/// The agent's spans ("agent.cascade" per hop, "model.generate" per model call) and metrics, both named
/// "DiSRouter.Agents" so that ServiceDefaults' OpenTelemetry setup can subscribe to them by name.
/// </summary>
internal sealed class AgentTelemetry
{
    public const string Name = "DiSRouter.Agents";

    public static readonly ActivitySource Source = new(Name);

    private readonly Counter<long> _decisions;
    private readonly Counter<double> _cost;
    private readonly Histogram<double> _modelDuration;
    private readonly Histogram<double> _timeToFirstToken;

    public AgentTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Name);
        _decisions = meter.CreateCounter<long>("disrouter.agent.decisions", unit: "{decision}",
            description: "Routing decisions taken by this agent: answer, reject, unreachable (a successor that could not be reached).");
        _cost = meter.CreateCounter<double>("disrouter.agent.cost", unit: "{cost}",
            description: "Normalised cost charged by this agent: its cost c_i for every query it answered.");
        _modelDuration = meter.CreateHistogram<double>("disrouter.agent.model.duration", unit: "s",
            description: "Time spent in one model call.");
        _timeToFirstToken = meter.CreateHistogram<double>("disrouter.agent.time_to_first_token", unit: "s",
            description: "From a request's arrival at the answering agent to the first text of its answer.");
    }

    /// <summary>One decision of this agent: answer, reject, or unreachable (a successor it could not reach). Requests and hops count here.</summary>
    public void RecordDecision(string agent, string decision) =>
        _decisions.Add(1, new KeyValuePair<string, object?>("disrouter.agent", agent), new KeyValuePair<string, object?>("disrouter.decision", decision));

    public void RecordAnswer(string agent, double cost) =>
        _cost.Add(cost, new KeyValuePair<string, object?>("disrouter.agent", agent));

    public void RecordTimeToFirstToken(string agent, TimeSpan elapsed) =>
        _timeToFirstToken.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("disrouter.agent", agent));

    /// <summary>One model call inside a "model.generate" span, timed into the model-latency histogram.</summary>
    public async Task<ChatGeneration> GenerateAsync(IChatBackend backend, string agent, string purpose, ChatPrompt prompt,
        GenerationSettings settings, Func<int, string, bool>? shouldContinue, CancellationToken ct)
    {
        using var activity = Source.StartActivity("model.generate");
        activity?.SetTag(AgentTags.Agent, agent);
        activity?.SetTag(AgentTags.Model, backend.ModelName);
        activity?.SetTag(AgentTags.Purpose, purpose);
        var generation = await backend.GenerateAsync(prompt, settings, shouldContinue, ct);
        if (activity is not null)
        {
            activity.SetTag(AgentTags.InputTokens, generation.PromptTokens);
            activity.SetTag(AgentTags.OutputTokens, generation.CompletionTokens);
            activity.SetTag(AgentTags.FinishReason, string.Join(",", generation.Samples.Select(s => s.FinishReason)));
        }
        RecordModelCall(agent, backend.ModelName, generation.ModelTime, purpose);
        return generation;
    }

    public void RecordModelCall(string agent, string model, TimeSpan duration, string purpose) =>
        _modelDuration.Record(duration.TotalSeconds,
            new KeyValuePair<string, object?>("disrouter.agent", agent),
            new KeyValuePair<string, object?>("gen_ai.request.model", model),
            new KeyValuePair<string, object?>("disrouter.purpose", purpose));
}

/// <summary>Attribute names on the agent's spans.</summary>
internal static class AgentTags
{
    public const string Agent = "disrouter.agent";
    public const string Decision = "disrouter.decision";
    public const string Alpha = "disrouter.alpha";
    public const string Scenario = "disrouter.scenario";
    public const string Hops = "disrouter.hops";
    public const string Successor = "disrouter.successor";
    public const string Purpose = "disrouter.purpose";
    public const string Model = "gen_ai.request.model";
    public const string InputTokens = "gen_ai.usage.input_tokens";
    public const string OutputTokens = "gen_ai.usage.output_tokens";
    public const string FinishReason = "gen_ai.response.finish_reasons";
    public const string Cost = "disrouter.cost";
    public const string LogitGap = "disrouter.decision.logit_gap";
    public const string Threshold = "disrouter.decision.threshold";

    /// <summary>The central router that chose this agent (the gateway's self-route mode); absent in the cascade.</summary>
    public const string RoutedBy = "disrouter.routed_by";

    /// <summary>Under the auction rule: "auction", and the agent's bid (p − α·c) when it bid; absent in the threshold cascade.</summary>
    public const string Rule = "disrouter.rule";

    /// <inheritdoc cref="Rule"/>
    public const string BidUtility = "disrouter.bid.utility";
}
