using DiSRouter.Agents.Tests.Support;

namespace DiSRouter.Agents.Tests.Apis;

/// <summary>One last agent whose scripted model echoes what it was asked, for tests of request handling.</summary>
public sealed class SingleAgent : IAsyncLifetime
{
    internal ScriptedBackend Model { get; } = new("echo-model", (p, s, i) => $"sample {i}: {p.Turns[^1].Content}");

    internal AgentHost Agent { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Agent = AgentHost.Start(AgentHost.Settings("agent-solo", 0.3, extra: [new("Agent:MaxNewTokens", "200")]), Model);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Agent.DisposeAsync();
}
