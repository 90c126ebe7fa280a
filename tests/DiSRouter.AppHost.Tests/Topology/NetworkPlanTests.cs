using DiSRouter.AppHost.Topology;

namespace DiSRouter.AppHost.Tests.Topology;

public sealed class NetworkPlanTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("disrouter-plan-").FullName;

    public NetworkPlanTests()
    {
        foreach (var i in Enumerable.Range(1, 5)) Directory.CreateDirectory(Path.Combine(_root, "models", $"nano-{i}"));
    }

    [Fact]
    public void SuccessorsFollowTheCascadeOrder()
    {
        var sut = Plan(Topology(), []);

        Assert.Equal(["agent-1", "agent-2", "agent-3", "agent-4", "agent-5"], sut.Agents.Select(a => a.Name));
        Assert.Equal(["agent-2", "agent-3", "agent-4", "agent-5"], sut.Agents[0].Successors);
        Assert.Equal(["agent-5"], sut.Agents[3].Successors);
        Assert.Empty(sut.Agents[4].Successors);
        Assert.Equal("agent-1", sut.EntryAgent);
    }

    [Fact]
    public void ChosenSubsetRederivesSuccessorsInCascadeOrder()
    {
        var sut = Plan(Topology(), ["--agents", "agent-5,agent-2,agent-3"]);

        Assert.Equal(["agent-2", "agent-3", "agent-5"], sut.Agents.Select(a => a.Name));
        Assert.Equal(["agent-3", "agent-5"], sut.Agents[0].Successors);
        Assert.Equal(["agent-5"], sut.Agents[1].Successors);
        Assert.Empty(sut.Agents[2].Successors);
    }

    [Fact]
    public void EntryAgentLeftOutOfTheSubsetMovesToTheFirstChosenWithANote()
    {
        var sut = Plan(Topology(), ["--agents", "agent-3,agent-4"]);

        Assert.Equal("agent-3", sut.EntryAgent);
        Assert.Contains(sut.Notes, n => n.Contains("agent-1 is not launched"));
    }

    [Fact]
    public void CheckpointPathsAreTakenFromTheRepositoryRoot()
    {
        var sut = Plan(Topology(), ["--agents", "agent-2"]);

        Assert.Equal(Path.Combine(_root, "models", "nano-2"), sut.Agents[0].CheckpointPath);
    }

    [Fact]
    public void GatewayPortAndApiKeyHaveTheirDefaults()
    {
        var sut = Plan(Topology(), []);

        Assert.Equal(8080, sut.GatewayPort);
        Assert.Equal("disrouter-local", sut.ApiKey);
        Assert.False(sut.ApiKeyFromEnvironment);
    }

    [Fact]
    public void ApiKeyComesFromTheEnvironmentAndThePortFromTheCommandLine()
    {
        var sut = NetworkPlan.Create(Topology(), LaunchArguments.Parse(["--gateway-port", "9000"]), _root,
            name => name == "DISROUTER_API_KEY" ? "s3cret" : null);

        Assert.Equal(9000, sut.GatewayPort);
        Assert.Equal("s3cret", sut.ApiKey);
        Assert.True(sut.ApiKeyFromEnvironment);
    }

    [Theory]
    [InlineData(new[] { "--agents", "agent-9" }, "--agents names 'agent-9', which the topology does not have")]
    [InlineData(new[] { "--agents", "agent-1,agent-1" }, "--agents names 'agent-1' twice")]
    public void BadSubsetIsRefused(string[] args, string reason)
    {
        var error = Assert.Throws<TopologyException>(() => Plan(Topology(), args));

        Assert.Contains(error.Errors, e => e.Contains(reason));
    }

    [Fact]
    public void EveryTopologyErrorIsReportedAtOnce()
    {
        var topology = new TopologyOptions
        {
            EntryAgent = "agent-7",
            Agents =
            [
                new AgentSpec { Name = "Agent_1", Cost = 0.1, Checkpoint = "models/nano-1" },
                new AgentSpec { Name = "agent-2", Cost = 1.5, Checkpoint = "models/nano-2" },
                new AgentSpec { Name = "agent-2", Cost = 0.3, Checkpoint = "models/nano-3" },
                new AgentSpec { Name = "agent-4", Cost = 0.4, Backend = "hosted", Endpoint = "not a url" },
                new AgentSpec { Name = "agent-5", Cost = 0.5, Backend = "remote" },
                new AgentSpec { Name = "agent-6", Cost = 0.6, Checkpoint = "models/missing", CommitTimeoutSeconds = 0 },
                new AgentSpec { Name = "gateway", Cost = 0.7, Checkpoint = "models/nano-5" },
            ],
        };

        var error = Assert.Throws<TopologyException>(() => Plan(topology, []));

        Assert.Contains(error.Errors, e => e.Contains("'Agent_1')") && e.Contains("kebab-case"));
        Assert.Contains(error.Errors, e => e.Contains("Cost must lie in [0, 1], got 1.5"));
        Assert.Contains(error.Errors, e => e.Contains("'agent-2' is used twice"));
        Assert.Contains(error.Errors, e => e.Contains("hosted backend needs Endpoint"));
        Assert.Contains(error.Errors, e => e.Contains("hosted backend needs Model"));
        Assert.Contains(error.Errors, e => e.Contains("hosted backend needs ApiKeyEnv"));
        Assert.Contains(error.Errors, e => e.Contains("Backend must be 'local' or 'hosted', got 'remote'"));
        Assert.Contains(error.Errors, e => e.Contains("models/missing") && e.Contains("does not exist"));
        Assert.Contains(error.Errors, e => e.Contains("'gateway' is the gateway's name"));
        Assert.Contains(error.Errors, e => e.Contains("'agent-6')") && e.Contains("CommitTimeoutSeconds must be positive, got 0"));
        Assert.Contains(error.Errors, e => e.Contains("EntryAgent is 'agent-7'"));
        Assert.Contains("The topology cannot be launched", error.Message);
    }

    [Fact]
    public void EmptyTopologyIsRefused()
    {
        var error = Assert.Throws<TopologyException>(() => Plan(new TopologyOptions(), []));

        Assert.Contains(error.Errors, e => e.Contains("no agents"));
    }

    [Fact]
    public void CostsOutOfOrderAreNotedNotReordered()
    {
        var topology = Topology();
        topology.Agents[1].Cost = 0.05;

        var sut = Plan(topology, []);

        Assert.Equal("agent-2", sut.Agents[1].Name);
        Assert.Contains(sut.Notes, n => n.Contains("agent-2 costs less than agent-1"));
    }

    private NetworkPlan Plan(TopologyOptions topology, string[] args) =>
        NetworkPlan.Create(topology, LaunchArguments.Parse(args), _root, _ => null);

    private static TopologyOptions Topology() => new()
    {
        EntryAgent = "agent-1",
        Agents = Enumerable.Range(1, 5).Select(i => new AgentSpec
        {
            Name = $"agent-{i}", Cost = new[] { 0.1, 0.2, 0.4, 0.7, 0.9 }[i - 1], Backend = "local", Checkpoint = $"models/nano-{i}",
        }).ToList(),
    };

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
