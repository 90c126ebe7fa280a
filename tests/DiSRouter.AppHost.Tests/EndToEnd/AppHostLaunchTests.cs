using DiSRouter.AppHost.Tests.Infrastructure;

namespace DiSRouter.AppHost.Tests.EndToEnd;

/// <summary>The AppHost as a user runs it, refusing what cannot work before it starts anything.</summary>
public sealed class AppHostLaunchTests
{
    [Fact]
    public async Task HelpPrintsTheUsageAndTheDefaults()
    {
        await using var sut = AppHostProcess.Start(["--help"]);

        Assert.Equal(0, await sut.WaitForExitAsync(TestDotnet.Start));
        Assert.Contains("--gateway-port N", sut.Output);
        Assert.Contains("default 8080", sut.Output);
        Assert.Contains("disrouter-local", sut.Output);
    }

    [Fact]
    public async Task UnknownAgentIsRefusedWithExitCode2AndNothingStarts()
    {
        await using var sut = AppHostProcess.Start(["--agents", "agent-1,agent-42", "--gateway-port", "0"]);

        Assert.Equal(2, await sut.WaitForExitAsync(TestDotnet.Start));
        Assert.Contains("--agents names 'agent-42', which the topology does not have", sut.Output);
        Assert.Empty(sut.Children);
    }

    [Fact]
    public async Task AgentThatCannotStartStopsTheLaunchWithItsLastLines()
    {
        await using var models = await new FakeModelServer(new Dictionary<string, string>()).StartAsync();
        using var topology = new TopologyFile(new()
        {
            ["Agents"] = new System.Text.Json.Nodes.JsonArray(TopologyFile.HostedAgent("agent-1", 0.1, models, "m")),
        });

        // FAKE_MODEL_KEY is not set: the hosted agent refuses to start, naming the variable.
        await using var sut = AppHostProcess.Start(["--config", topology.Path, "--gateway-port", "0"],
            new Dictionary<string, string?> { ["FAKE_MODEL_KEY"] = null });

        Assert.Equal(1, await sut.WaitForExitAsync(TestDotnet.Start));
        Assert.Contains("agent-1 exited with code", sut.Output);
        Assert.Contains("FAKE_MODEL_KEY", sut.Output);
        Assert.DoesNotContain("DiSRouter ready", sut.Output);
        await TestDotnet.AssertAllGoneAsync(sut.Children.Values, TestDotnet.Stop);
    }
}
