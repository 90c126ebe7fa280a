using System.Net;
using DiSRouter.Agents.Backends;
using DiSRouter.Agents.Tests.Support;
using DiSRouter.Core.Scenarios;
using DiSRouter.Models.Tokenization;
using Microsoft.Extensions.DependencyInjection;

namespace DiSRouter.Agents.Tests.Backends;

/// <summary>
/// A checkpoint that records the scenario wording it was trained with (scenario_prompt.json) is prompted in that wording
/// by the serving agent, whatever Agent:ScenarioPrompt says; one without the file keeps the configured (compact) wording.
/// </summary>
public sealed class RecordedPromptStyleTests : IDisposable
{
    private readonly TinyCheckpoint _checkpoint = new();

    public void Dispose() => _checkpoint.Dispose();

    // The first of two agents, so that it decides (its hop's prompt is the decision prompt alone).
    private static (AgentHost Agent, AgentHost Next) Cascade(string directory)
    {
        var next = AgentHost.Start(AgentHost.Settings("agent-2", 0.9), ScriptedBackend.Answering("nano-2", " forty-two."));
        var agent = AgentHost.Start(AgentHost.Settings("agent-1", 0.1, ["agent-2"],
        [
            new("Agent:Backend", "local"),
            new("Agent:Checkpoint", directory),
            .. Apis.CascadeNetwork.Discovery(("agent-2", next)),
        ]));
        return (agent, next);
    }

    private static int PromptTokens(ScenarioPromptStyle style) =>
        ChatFormat.EncodePrompt(ByteTokenizer.Default, ScenarioPrompt.For(Scenario.Balance, style), TrainedRejecter.Query).Length;

    [Theory]
    [InlineData(true, ScenarioPromptStyle.Full)]
    [InlineData(false, ScenarioPromptStyle.Compact)]
    public async Task TheAgentPromptsInTheWordingItsCheckpointRecords(bool recorded, ScenarioPromptStyle expected)
    {
        TrainedRejecter.Save(_checkpoint.Directory, TrainedRejecter.Train());
        if (recorded) ScenarioPromptFile.Write(_checkpoint.Directory, ScenarioPromptStyle.Full);
        var (agent, next) = Cascade(_checkpoint.Directory);
        await using var a = agent;
        await using var n = next;

        var reply = await agent.Client.PostJsonAsync("/v1/chat/completions", Http.Chat(TrainedRejecter.Query, "\"max_tokens\":24"));

        Assert.Equal(expected, Assert.IsType<LocalCheckpointBackend>(agent.Services.GetRequiredService<IChatBackend>()).PromptStyle);
        Assert.True(reply.Status == HttpStatusCode.OK, reply.Body);
        // The model read the Balance instruction in the recorded wording (the full text is about 180 bytes longer).
        Assert.Equal(PromptTokens(expected), reply.Routing.Path[0].PromptTokens);
    }
}
