using System.ClientModel;
using System.Diagnostics;
using System.Text.Json.Nodes;
using DiSRouter.AppHost.Tests.Infrastructure;
using OpenAI;
using OpenAI.Chat;

namespace DiSRouter.AppHost.Tests.EndToEnd;

public sealed class AgentFailureTests
{
    [Fact]
    public async Task KilledAgentIsSkippedByTheCascadeAndShutdownLeavesNoProcess()
    {
        await using var models = await new FakeModelServer(new Dictionary<string, string>
        {
            ["small"] = "I don't know!",
            ["medium"] = FakeModelServer.Answer,
            ["large"] = "Let's think step by step: large. The final answer is: 4.",
        }).StartAsync();
        using var topology = new TopologyFile(new JsonObject
        {
            ["Agents"] = new JsonArray(
                TopologyFile.HostedAgent("agent-1", 0.1, models, "small"),
                TopologyFile.HostedAgent("agent-2", 0.4, models, "medium"),
                TopologyFile.HostedAgent("agent-3", 0.9, models, "large")),
        });
        await using var appHost = AppHostProcess.Start(["--config", topology.Path, "--gateway-port", "0"],
            new Dictionary<string, string?> { ["FAKE_MODEL_KEY"] = "fake" });
        var gateway = await appHost.WaitReadyAsync(TestDotnet.Start);
        // Without DISROUTER_API_KEY the local default key opens the gateway.
        var client = new ChatClient("disrouter", new ApiKeyCredential("disrouter-local"), new OpenAIClientOptions { Endpoint = new Uri(gateway, "/v1") });

        var before = await client.CompleteChatAsync([new UserChatMessage("What is 2 + 2?")]).WaitAsync(TestDotnet.Request);
        Assert.Equal("agent-2", (string?)Routing(before)["answered_by"]);

        using (var agent2 = Process.GetProcessById(appHost.Children["agent-2"])) agent2.Kill();
        await appHost.WaitForLineAsync(@"^\[apphost\] agent-2 exited with code", TestDotnet.Request);

        var after = await client.CompleteChatAsync([new UserChatMessage("What is 2 + 2?")]).WaitAsync(TestDotnet.Request);
        var routing = Routing(after);
        Assert.Equal("agent-3", (string?)routing["answered_by"]);
        Assert.Equal(["agent-1:reject", "agent-2:unreachable", "agent-3:answer"],
            routing["path"]!.AsArray().Select(h => $"{(string?)h!["agent"]}:{(string?)h["decision"]}"));

        var children = appHost.Children.Values.ToList();
        Assert.Equal(0, await appHost.TerminateAsync(TestDotnet.Stop));
        Assert.Contains("[apphost] stopped every service", appHost.Output);
        await TestDotnet.AssertAllGoneAsync(children, TestDotnet.Stop);
    }

    private static JsonNode Routing(ClientResult<ChatCompletion> result) =>
        JsonNode.Parse(result.GetRawResponse().Content.ToString())!["disrouter"]!;
}
