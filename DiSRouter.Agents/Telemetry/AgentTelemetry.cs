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
    private readonly Histogram<double> _modelDuration;

    public AgentTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Name);
        _decisions = meter.CreateCounter<long>("disrouter.agent.decisions", unit: "{decision}",
            description: "Routing decisions taken by this agent: answer, reject, unreachable (a successor that could not be reached).");
        _modelDuration = meter.CreateHistogram<double>("disrouter.agent.model.duration", unit: "s",
            description: "Time spent in one model call.");
    }

    public void RecordDecision(string agent, string decision) =>
        _decisions.Add(1, new KeyValuePair<string, object?>("disrouter.agent", agent), new KeyValuePair<string, object?>("disrouter.decision", decision));

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
}
