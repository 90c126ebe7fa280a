using DiSRouter.AppHost.Hosting;
using DiSRouter.AppHost.Jobs;
using DiSRouter.AppHost.Tests.Infrastructure;

namespace DiSRouter.AppHost.Tests.Jobs;

/// <summary>A published checkpoint reaches a running agent: the real agent process, serving the publish directory.</summary>
public sealed class AgentReloadTests : IDisposable
{
    private readonly TinyCheckpoints _tiny = new();

    public void Dispose() => _tiny.Dispose();

    [Fact]
    public async Task AServingAgentReloadsAPublishedCheckpoint()
    {
        var serving = _tiny.Save("serving", seed: 1);
        var trained = _tiny.Save("trained", seed: 2, intermediateSize: 64);
        var resource = new ServiceResource("agent-1", ServiceBinaries.PathOf(ServiceBinaries.Agents), FreePorts.Next(), fixedPort: false);
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = resource.Url.ToString().TrimEnd('/'),
            ["Logging__Console__FormatterName"] = "simple",
            ["Logging__Console__FormatterOptions__SingleLine"] = "true",
            ["Agent__Name"] = "agent-1",
            ["Agent__Cost"] = "0.1",
            ["Agent__Backend"] = "local",
            ["Agent__Checkpoint"] = serving,
            ["Agent__ReloadDebounceMilliseconds"] = "50",
        };
        await using var agent = ServiceProcess.Start(resource, environment);
        using var http = new HttpClient();
        Assert.True(await agent.WaitHealthyAsync(http, TestDotnet.Start, CancellationToken.None).WaitAsync(TestDotnet.Start), string.Join("\n", agent.Tail()));

        CheckpointPublisher.Publish(trained, serving);

        using var deadline = new CancellationTokenSource(TestDotnet.Request);
        while (!agent.Tail().Any(l => l.Contains("generation 2")))
        {
            Assert.False(agent.Tail().Any(l => l.Contains("failed to load")), string.Join("\n", agent.Tail()));
            await Task.Delay(50, deadline.Token);
        }
        Assert.Contains(agent.Tail(), l => l.Contains("generation 2") && l.Contains("parameters"));
    }
}
