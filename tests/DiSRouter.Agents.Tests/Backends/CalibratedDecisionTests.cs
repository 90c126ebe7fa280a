using System.Net;
using DiSRouter.Agents.Backends;
using DiSRouter.Agents.Cascade;
using DiSRouter.Agents.Tests.Support;
using DiSRouter.Core.Routing;
using DiSRouter.Core.Scenarios;
using DiSRouter.Models;
using DiSRouter.Models.Checkpoints;
using Microsoft.Extensions.DependencyInjection;

namespace DiSRouter.Agents.Tests.Backends;

/// <summary>
/// A checkpoint with calibrated decision thresholds (decision.json) as the first agent of a real two-agent cascade:
/// the threshold for the request's α, not the model's most likely first token, decides whether it answers.
/// </summary>
public sealed class CalibratedDecisionTests : IDisposable
{
    private readonly TinyCheckpoint _checkpoint = new();

    public void Dispose() => _checkpoint.Dispose();

    private void WriteThresholds(TransformerModel model, params (double Alpha, double Gap)[] points) => new DecisionThresholds
    {
        AnswerText = AgentPrompts.AnswerPrefix,
        RejectText = ScenarioPrompt.RejectText,
        WeightsSha256 = WeightsFingerprint.Of(model),
        Points = points.Select(p => new DecisionPoint(p.Alpha, p.Gap)).ToList(),
    }.Write(_checkpoint.Directory);

    private static (AgentHost Agent, AgentHost Next, ScriptedBackend Last) Cascade(string directory)
    {
        var last = ScriptedBackend.Answering("nano-2", " forty-two.");
        var next = AgentHost.Start(AgentHost.Settings("agent-2", 0.9), last);
        var agent = AgentHost.Start(AgentHost.Settings("agent-1", 0.1, ["agent-2"],
        [
            new("Agent:Backend", "local"),
            new("Agent:Checkpoint", directory),
            new("Agent:ReloadDebounceMilliseconds", "100"),
            .. Apis.CascadeNetwork.Discovery(("agent-2", next)),
        ]));
        return (agent, next, last);
    }

    [Theory]
    [InlineData(0.2, HopDecision.Reject)] // the threshold at 0.2 is above any gap the model can produce
    [InlineData(0.8, HopDecision.Answer)] // at 0.8 below any
    [InlineData(0.35, HopDecision.Reject)] // a quarter of the way: +500
    [InlineData(0.65, HopDecision.Answer)] // three quarters: −500
    public async Task ThresholdForTheRequestsAlphaDecides(double alpha, string expected)
    {
        var model = TrainedRejecter.Train();
        TrainedRejecter.Save(_checkpoint.Directory, model);
        WriteThresholds(model, (0.2, 1000), (0.8, -1000));
        var (agent, next, last) = Cascade(_checkpoint.Directory);
        await using var _ = agent;
        await using var __ = next;

        var reply = await agent.Client.PostJsonAsync("/v1/chat/completions",
            Http.Chat(TrainedRejecter.Query, $"\"alpha\":{alpha.ToString(System.Globalization.CultureInfo.InvariantCulture)},\"max_tokens\":24"));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var hop = reply.Routing.Path[0];
        Assert.Equal(("agent-1", expected), (hop.Agent, hop.Decision));
        Assert.NotNull(hop.DecisionLogitGap);
        Assert.Equal(1000 - 2000 * (alpha - 0.2) / 0.6, hop.DecisionThreshold!.Value, 3);
        Assert.Equal(expected == HopDecision.Answer, hop.DecisionLogitGap >= hop.DecisionThreshold);
        if (expected == HopDecision.Answer)
        {
            // The model declines this query by its first token, yet answers: from the answer template's opening.
            Assert.StartsWith(AgentPrompts.AnswerPrefix, reply.Content);
            Assert.Equal("agent-1", reply.Routing.AnsweredBy);
            Assert.Empty(last.Calls);
        }
        else
        {
            // Declining cost the prompt pass alone: one token.
            Assert.Equal(1, hop.CompletionTokens);
            Assert.Equal("agent-2", reply.Routing.AnsweredBy);
            Assert.Single(last.Calls);
        }
    }

    [Fact]
    public async Task ThresholdsMadeForOtherWeightsAreIgnoredAndTheModelDecidesByItsFirstToken()
    {
        var model = TrainedRejecter.Train();
        TrainedRejecter.Save(_checkpoint.Directory, model);
        WriteThresholds(TransformerModel.Create(TinyCheckpoint.Config, seed: 99), (0.5, -1000)); // would answer everything
        var (agent, next, _) = Cascade(_checkpoint.Directory);
        await using var a = agent;
        await using var n = next;
        Assert.False(Assert.IsType<LocalCheckpointBackend>(agent.Services.GetRequiredService<IChatBackend>()).HasDecisionThresholds);

        var reply = await agent.Client.PostJsonAsync("/v1/chat/completions", Http.Chat(TrainedRejecter.Query));

        // Balance, as the model was trained: it declines, by its own first token.
        var hop = reply.Routing.Path[0];
        Assert.Equal(HopDecision.Reject, hop.Decision);
        Assert.Null(hop.DecisionLogitGap);
        Assert.Null(hop.DecisionThreshold);
    }

    [Fact]
    public async Task WritingThresholdsBesideServedWeightsReloadsThem()
    {
        var model = TrainedRejecter.Train();
        TrainedRejecter.Save(_checkpoint.Directory, model);
        var (agent, next, _) = Cascade(_checkpoint.Directory);
        await using var a = agent;
        await using var n = next;
        var backend = Assert.IsType<LocalCheckpointBackend>(agent.Services.GetRequiredService<IChatBackend>());
        var reloaded = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        backend.Reloaded += g => reloaded.TrySetResult(g);
        var before = await agent.Client.PostJsonAsync("/v1/chat/completions", Http.Chat(TrainedRejecter.Query));

        WriteThresholds(model, (0.5, -1000));
        Assert.Equal(2, await reloaded.Task.WaitAsync(TestTimeouts.Request));
        var after = await agent.Client.PostJsonAsync("/v1/chat/completions", Http.Chat(TrainedRejecter.Query, "\"max_tokens\":24"));

        Assert.Equal(HopDecision.Reject, before.Routing.Path[0].Decision);
        Assert.True(backend.HasDecisionThresholds);
        Assert.Equal(HopDecision.Answer, after.Routing.Path[0].Decision);
        Assert.Equal(-1000, after.Routing.Path[0].DecisionThreshold);
    }
}
