using DiSRouter.Agents.Tests.Support;

namespace DiSRouter.Agents.Tests.Apis;

/// <summary>
/// Three agents over loopback, ordered by cost: agent-1 rejects queries tagged "#hard" (so also "#harder"),
/// agent-2 rejects "#harder", agent-3 is the last and always answers.
/// </summary>
public sealed class CascadeNetwork : IAsyncLifetime
{
    internal const string Agent1Answer = "Let's think step by step: agent-1 knew. The final answer is: 1.";
    internal const string Agent2Answer = "Let's think step by step: agent-2 knew. The final answer is: 2.";
    internal const string Agent3Continuation = " agent-3 worked it out. The final answer is: 3.";

    internal ScriptedBackend Model1 { get; } = ScriptedBackend.Rejecting("nano-1", q => q.Contains("#hard"), Agent1Answer);
    internal ScriptedBackend Model2 { get; } = ScriptedBackend.Rejecting("nano-2", q => q.Contains("#harder"), Agent2Answer);
    internal ScriptedBackend Model3 { get; } = ScriptedBackend.Rejecting("nano-3", _ => true, Agent3Continuation);

    internal AgentHost Agent1 { get; private set; } = null!;
    internal AgentHost Agent2 { get; private set; } = null!;
    internal AgentHost Agent3 { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Agent3 = AgentHost.Start(AgentHost.Settings("agent-3", 1.0), Model3);
        Agent2 = AgentHost.Start(AgentHost.Settings("agent-2", 0.4, ["agent-3"], Discovery(("agent-3", Agent3))), Model2);
        Agent1 = AgentHost.Start(AgentHost.Settings("agent-1", 0.1, ["agent-2", "agent-3"],
            Discovery(("agent-2", Agent2), ("agent-3", Agent3))), Model1);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Agent1.DisposeAsync();
        await Agent2.DisposeAsync();
        await Agent3.DisposeAsync();
    }

    /// <summary>Service-discovery entries in Aspire's key scheme, as the AppHost sets them.</summary>
    internal static IEnumerable<KeyValuePair<string, string?>> Discovery(params (string Name, AgentHost Host)[] agents) =>
        agents.Select(a => new KeyValuePair<string, string?>($"services:{a.Name}:http:0", a.Host.BaseAddress.ToString().TrimEnd('/')));
}
