using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using DiSRouter.Agents.Telemetry;
using DiSRouter.Agents.Tests.Apis;
using DiSRouter.Agents.Tests.Support;
using DiSRouter.Core.Routing;

namespace DiSRouter.Agents.Tests.Telemetry;

/// <summary>Spans per hop and per model call, and the decision and model-latency metrics, as a collector would see them.</summary>
public sealed class AgentTelemetryTests : IDisposable
{
    private readonly string _first = "agent-tel-" + Guid.NewGuid().ToString("N")[..6];
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = new();
    private readonly ActivityListener _activities;
    private readonly MeterListener _meters = new();

    public AgentTelemetryTests()
    {
        _activities = new ActivityListener
        {
            ShouldListenTo = s => s.Name == AgentTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _spans.Enqueue,
        };
        ActivitySource.AddActivityListener(_activities);
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == AgentTelemetry.Name) listener.EnableMeasurementEvents(instrument);
        };
        _meters.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _meters.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _meters.Start();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var d = new Dictionary<string, object?>();
        foreach (var t in tags) d[t.Key] = t.Value;
        if (Equals(d.GetValueOrDefault(AgentTags.Agent), _first)) _measurements.Enqueue((instrument.Name, value, d));
    }

    public void Dispose()
    {
        _activities.Dispose();
        _meters.Dispose();
    }

    [Fact]
    public async Task EveryHopAndModelCallIsTracedAndCounted()
    {
        await using var last = AgentHost.Start(AgentHost.Settings("agent-2", 0.9), ScriptedBackend.Answering("nano-2", " two."));
        await using var sut = AgentHost.Start(AgentHost.Settings(_first, 0.1, ["agent-2"], CascadeNetwork.Discovery(("agent-2", last))),
            ScriptedBackend.Rejecting("nano-1", _ => true, "never"));

        await sut.Client.PostJsonAsync("/v1/chat/completions", Http.Chat("q", "\"alpha\":0.8"));

        var hop = Assert.Single(_spans, s => s.OperationName == "agent.cascade" && Equals(s.GetTagItem(AgentTags.Agent), _first));
        Assert.Equal(HopDecision.Reject, hop.GetTagItem(AgentTags.Decision));
        Assert.Equal(0.8, hop.GetTagItem(AgentTags.Alpha));
        var model = Assert.Single(_spans, s => s.OperationName == "model.generate" && s.ParentSpanId == hop.SpanId);
        Assert.Equal("nano-1", model.GetTagItem(AgentTags.Model));
        Assert.Equal(1, model.GetTagItem(AgentTags.OutputTokens)); // "I": the decision, and all this hop generated
        // The successor's hop is a span of the same trace, its parent reached through the HTTP call.
        var next = Assert.Single(_spans, s => s.OperationName == "agent.cascade" && Equals(s.GetTagItem(AgentTags.Agent), "agent-2") && s.TraceId == hop.TraceId);
        Assert.Equal(HopDecision.Answer, next.GetTagItem(AgentTags.Decision));

        var decision = Assert.Single(_measurements, m => m.Instrument == "disrouter.agent.decisions");
        Assert.Equal((1.0, HopDecision.Reject), (decision.Value, decision.Tags[AgentTags.Decision]));
        var latency = Assert.Single(_measurements, m => m.Instrument == "disrouter.agent.model.duration");
        Assert.InRange(latency.Value, 0, 5);
    }

    [Fact]
    public async Task HopSpanCarriesTheDecisionItsLogitGapAndThresholdCostAndTokens()
    {
        await using var last = AgentHost.Start(AgentHost.Settings("agent-2", 0.9), ScriptedBackend.Answering("nano-2", " two."));
        var rejecting = new ScriptedBackend("nano-1", (_, _, _) => "never") { Verdict = new DiSRouter.Agents.Backends.DecisionVerdict(LogitGap: -1.25, Threshold: 0.5) };
        await using var sut = AgentHost.Start(AgentHost.Settings(_first, 0.1, ["agent-2"], CascadeNetwork.Discovery(("agent-2", last))), rejecting);

        var reply = await sut.Client.PostJsonAsync("/v1/chat/completions", Http.Chat("q", "\"alpha\":0.2"));

        Assert.Equal(System.Net.HttpStatusCode.OK, reply.Status);
        var hop = Assert.Single(_spans, s => s.OperationName == "agent.cascade" && Equals(s.GetTagItem(AgentTags.Agent), _first));
        Assert.Equal(HopDecision.Reject, hop.GetTagItem(AgentTags.Decision));
        Assert.Equal(0.2, hop.GetTagItem(AgentTags.Alpha));
        Assert.Equal(-1.25, hop.GetTagItem(AgentTags.LogitGap));
        Assert.Equal(0.5, hop.GetTagItem(AgentTags.Threshold));
        Assert.Equal(0.1, hop.GetTagItem(AgentTags.Cost));
        Assert.Equal(1, hop.GetTagItem(AgentTags.OutputTokens));
        Assert.True((int)hop.GetTagItem(AgentTags.InputTokens)! > 0);
        // The answering hop's span ends with its stream and names its decision and cost too.
        var answering = Assert.Single(_spans, s => s.OperationName == "agent.cascade" && Equals(s.GetTagItem(AgentTags.Agent), "agent-2") && s.TraceId == hop.TraceId);
        Assert.Equal((HopDecision.Answer, 0.9), (answering.GetTagItem(AgentTags.Decision), answering.GetTagItem(AgentTags.Cost)));
        // The typed decision reached the routing metadata as it was taken.
        Assert.Equal((-1.25, 0.5), (reply.Routing.Path[0].DecisionLogitGap, reply.Routing.Path[0].DecisionThreshold));
    }

    [Fact]
    public async Task AnsweringAgentRecordsItsCostAndTimeToFirstToken()
    {
        await using var sut = AgentHost.Start(AgentHost.Settings(_first, 0.3), ScriptedBackend.Answering("nano-1", " one."));

        await sut.Client.PostJsonAsync("/v1/chat/completions", Http.Chat("q"));

        var cost = Assert.Single(_measurements, m => m.Instrument == "disrouter.agent.cost");
        Assert.Equal(0.3, cost.Value);
        var firstToken = Assert.Single(_measurements, m => m.Instrument == "disrouter.agent.time_to_first_token");
        Assert.InRange(firstToken.Value, 0, 5);
        var decision = Assert.Single(_measurements, m => m.Instrument == "disrouter.agent.decisions");
        Assert.Equal(HopDecision.Answer, decision.Tags[AgentTags.Decision]);
    }
}
