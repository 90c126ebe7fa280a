using System.Text.Json.Nodes;
using DiSRouter.AppHost.Tests.Infrastructure;

namespace DiSRouter.AppHost.Tests.EndToEnd;

/// <summary>
/// The real AppHost launching three real agent processes and the gateway. The agents' models are hosted ones,
/// scripted by a fake OpenAI-compatible server, so every cascade decision is known: agent-1 always rejects,
/// agent-2 and agent-3 answer.
/// </summary>
public sealed class NetworkFixture : IAsyncLifetime
{
    public const string ApiKey = "e2e-key";

    private TopologyFile? _topology;

    public FakeModelServer Models { get; private set; } = null!;
    public AppHostProcess AppHost { get; private set; } = null!;
    public Uri Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Models = await new FakeModelServer(new Dictionary<string, string>
        {
            ["small"] = "I don't know!",
            ["medium"] = FakeModelServer.Answer,
            ["large"] = "Let's think step by step: 4 = 2 + 2. The final answer is: 4.",
        }).StartAsync();
        _topology = new TopologyFile(new JsonObject
        {
            ["EntryAgent"] = "agent-1",
            ["HealthTimeout"] = "00:01:30",
            ["Agents"] = new JsonArray(
                TopologyFile.HostedAgent("agent-1", 0.1, Models, "small"),
                TopologyFile.HostedAgent("agent-2", 0.4, Models, "medium"),
                TopologyFile.HostedAgent("agent-3", 0.9, Models, "large")),
        });
        AppHost = AppHostProcess.Start(["--config", _topology.Path, "--gateway-port", "0"],
            new Dictionary<string, string?> { ["FAKE_MODEL_KEY"] = "fake", ["DISROUTER_API_KEY"] = ApiKey });
        Gateway = await AppHost.WaitReadyAsync(TestDotnet.Start);
    }

    public async Task DisposeAsync()
    {
        var children = AppHost.Children.Values.ToList();
        await AppHost.TerminateAsync(TestDotnet.Stop);
        await TestDotnet.AssertAllGoneAsync(children, TestDotnet.Stop);
        await AppHost.DisposeAsync();
        await Models.DisposeAsync();
        _topology?.Dispose();
    }
}
