using System.Diagnostics.Metrics;
using System.Net;
using DiSRouter.Agents.Backends;
using DiSRouter.Agents.Cascade;
using DiSRouter.Agents.Tests.Backends;
using DiSRouter.Agents.Tests.Support;
using DiSRouter.Core.Scenarios;
using DiSRouter.Models;
using DiSRouter.Models.Checkpoints;
using Microsoft.Extensions.DependencyInjection;

namespace DiSRouter.Agents.Tests.Apis;

/// <summary>
/// POST /v1/assess, the agent's bid, over real HTTP on a real calibrated checkpoint: the logit gap of the decision's
/// prompt pass (the one the cascade decides by at the bid prompt's α) and, through bid.json bound to the loaded weights,
/// the probability that its answer is right; no p_right with the reason where it cannot bid; bad input a problem.
/// </summary>
public sealed class AssessApiTests : IDisposable
{
    private readonly TinyCheckpoint _checkpoint = new();

    public void Dispose() => _checkpoint.Dispose();

    private TransformerModel CalibratedRejecter()
    {
        var model = TrainedRejecter.Train();
        TrainedRejecter.Save(_checkpoint.Directory, model);
        new DecisionThresholds
        {
            AnswerText = AgentPrompts.AnswerPrefix,
            RejectText = ScenarioPrompt.RejectText,
            WeightsSha256 = WeightsFingerprint.Of(model),
            Points = [new DecisionPoint(0.2, 1000), new DecisionPoint(0.8, -1000)], // 0 at α = 0.5: the sign of the gap decides
        }.Write(_checkpoint.Directory);
        return model;
    }

    private static void WriteBid(string directory, string weights, double weight = 0.5, double bias = 0.25) =>
        new BidScale { PromptAlpha = 0.5, Weight = weight, Bias = bias, WeightsSha256 = weights }.Write(directory);

    private (AgentHost Agent, AgentHost Next) Start()
    {
        var next = AgentHost.Start(AgentHost.Settings("agent-2", 0.9), ScriptedBackend.Answering("nano-2", " forty-two."));
        var agent = AgentHost.Start(AgentHost.Settings("agent-1", 0.1, ["agent-2"],
        [
            new("Agent:Backend", "local"),
            new("Agent:Checkpoint", _checkpoint.Directory),
            new("Agent:ReloadDebounceMilliseconds", "100"),
            .. CascadeNetwork.Discovery(("agent-2", next)),
        ]));
        return (agent, next);
    }

    [Fact]
    public async Task AssessReturnsTheGapTheCascadeDecidesByAndItsProbabilityThroughTheBidScale()
    {
        var model = CalibratedRejecter();
        WriteBid(_checkpoint.Directory, WeightsFingerprint.Of(model));
        var (agent, next) = Start();
        await using var a = agent;
        await using var n = next;
        var assessCalls = new System.Collections.Concurrent.ConcurrentQueue<double>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) => { if (instrument.Name == "disrouter.agent.model.duration") listener.EnableMeasurementEvents(instrument); };
        meters.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            var d = new Dictionary<string, object?>();
            foreach (var t in tags) d[t.Key] = t.Value;
            if (Equals(d.GetValueOrDefault("disrouter.purpose"), "assess") && Equals(d.GetValueOrDefault("disrouter.agent"), "agent-1")) assessCalls.Enqueue(value);
        });
        meters.Start();

        var reply = await agent.Client.PostJsonAsync("/v1/assess", Http.Chat(TrainedRejecter.Query, "\"model\":\"disrouter-bids\",\"stream\":true"));
        var cascade = await agent.Client.PostJsonAsync("/v1/chat/completions", Http.Chat(TrainedRejecter.Query, "\"alpha\":0.5,\"max_tokens\":24"));

        Assert.True(reply.Status == HttpStatusCode.OK, reply.Body);
        var json = reply.Json;
        Assert.Equal(("agent-1", 0.1, 0.5), (json.GetProperty("agent").GetString(), json.GetProperty("cost").GetDouble(), json.GetProperty("prompt_alpha").GetDouble()));
        Assert.Equal(Assert.IsType<LocalCheckpointBackend>(agent.Services.GetRequiredService<IChatBackend>()).ModelName, json.GetProperty("model").GetString());
        var gap = json.GetProperty("logit_gap").GetDouble();
        Assert.Equal(cascade.Routing.Path[0].DecisionLogitGap!.Value, gap, 3); // the same prompt pass, rounded to 4 places there
        Assert.Equal(1 / (1 + Math.Exp(-(0.5 * gap + 0.25))), json.GetProperty("p_right").GetDouble(), 5);
        Assert.True(json.GetProperty("prompt_ms").GetDouble() > 0);
        Assert.False(json.TryGetProperty("no_bid", out _));
        // The prompt pass is model time in the agent's latency histogram, as the assessment's own purpose.
        Assert.InRange(Assert.Single(assessCalls) - json.GetProperty("prompt_ms").GetDouble() / 1000, -1e-6, 1e-6); // prompt_ms is rounded to 3 places
    }

    [Fact]
    public async Task BidScaleFittedOnOtherWeightsGivesNoProbabilityAndSaysWhy()
    {
        CalibratedRejecter();
        WriteBid(_checkpoint.Directory, "0123456789abcdef");
        var (agent, next) = Start();
        await using var a = agent;
        await using var n = next;

        var reply = await agent.Client.PostJsonAsync("/v1/assess", Http.Chat(TrainedRejecter.Query));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.True(double.IsFinite(reply.Json.GetProperty("logit_gap").GetDouble()));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, reply.Json.GetProperty("p_right").ValueKind);
        Assert.Contains("was fitted on other weights (0123456789abcdef", reply.Json.GetProperty("no_bid").GetString());
    }

    [Fact]
    public async Task WritingABidScaleBesideServedWeightsIsReadWithoutARestart()
    {
        var model = CalibratedRejecter();
        var (agent, next) = Start();
        await using var a = agent;
        await using var n = next;
        var backend = Assert.IsType<LocalCheckpointBackend>(agent.Services.GetRequiredService<IChatBackend>());
        var reloaded = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        backend.Reloaded += g => reloaded.TrySetResult(g);

        var before = await agent.Client.PostJsonAsync("/v1/assess", Http.Chat(TrainedRejecter.Query));
        WriteBid(_checkpoint.Directory, WeightsFingerprint.Of(model), weight: 0, bias: 0);
        Assert.Equal(2, await reloaded.Task.WaitAsync(TestTimeouts.Request));
        var after = await agent.Client.PostJsonAsync("/v1/assess", Http.Chat(TrainedRejecter.Query));

        Assert.Equal(System.Text.Json.JsonValueKind.Null, before.Json.GetProperty("p_right").ValueKind);
        Assert.Contains("no bid.json beside the checkpoint", before.Json.GetProperty("no_bid").GetString());
        Assert.Equal(0.5, after.Json.GetProperty("p_right").GetDouble(), 12);
    }

    [Fact]
    public async Task HostedModelHasNoGapToBidWithAndIsNotCalled()
    {
        var model = ScriptedBackend.Answering("gpt-hosted", " forty-two.");
        await using var agent = AgentHost.Start(AgentHost.Settings("agent-1", 0.3), model);

        var reply = await agent.Client.PostJsonAsync("/v1/assess", Http.Chat("What is 2+2?"));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, reply.Json.GetProperty("logit_gap").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, reply.Json.GetProperty("p_right").ValueKind);
        Assert.Contains("hosted model (gpt-hosted)", reply.Json.GetProperty("no_bid").GetString());
        Assert.Equal(0.3, reply.Json.GetProperty("cost").GetDouble());
        Assert.Empty(model.Calls);
    }

    [Theory]
    [InlineData("{\"messages\":[]}", "messages")]
    [InlineData("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"n\":2}", "one reply per query")]
    [InlineData("not json", "JSON")]
    public async Task BadInputIsAProblemWithTheReason(string body, string reason)
    {
        await using var agent = AgentHost.Start(AgentHost.Settings("agent-1", 0.3), ScriptedBackend.Answering("gpt-hosted", "x"));

        var reply = await agent.Client.PostJsonAsync("/v1/assess", body);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Contains(reason, reply.ProblemDetail, StringComparison.OrdinalIgnoreCase);
    }
}
