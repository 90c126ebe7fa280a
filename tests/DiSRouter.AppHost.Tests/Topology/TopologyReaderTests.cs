using DiSRouter.AppHost.Topology;
using Microsoft.Extensions.Configuration;

namespace DiSRouter.AppHost.Tests.Topology;

public sealed class TopologyReaderTests
{
    [Fact]
    public void ShippedAppSettingsDescribeTheFiveAgentNanoPool()
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(Infrastructure.Repository.AppHostSettings).Build();

        var sut = TopologyReader.Read(configuration);

        Assert.Equal(["agent-1", "agent-2", "agent-3", "agent-4", "agent-5"], sut.Agents.Select(a => a.Name));
        Assert.Equal([0.1, 0.2, 0.4, 0.7, 0.9], sut.Agents.Select(a => a.Cost));
        Assert.All(sut.Agents, a => Assert.StartsWith("models/", a.Checkpoint));
        Assert.Equal(8080, sut.GatewayPort);
        Assert.Equal("agent-1", sut.EntryAgent);
    }

    [Fact]
    public void ShippedTopologyPointsAtCheckpointsCommittedInTheRepository()
    {
        // The main job must start on a fresh clone: every base checkpoint and every job's serving directory that the
        // shipped appsettings.json names is committed (the README promises no training before the first run).
        var configuration = new ConfigurationBuilder().AddJsonFile(Infrastructure.Repository.AppHostSettings).Build();
        var root = Infrastructure.Repository.Root;
        var agents = TopologyReader.Read(configuration).Agents;
        Assert.All(agents, a => Assert.True(File.Exists(Path.Combine(root, a.Checkpoint!, "config.json")), $"{a.Name}: no checkpoint at {a.Checkpoint}"));
        var published = configuration.GetSection("DiSRouter:Jobs").GetChildren().Select(j => j["Publish"]).ToList();
        Assert.Equal(agents.Count, published.Count);
        Assert.All(published, p => Assert.True(File.Exists(Path.Combine(root, p!, "model.safetensors")), $"no self-aware checkpoint at {p}"));
    }

    [Fact]
    public void ConfigFileWithAgentsReplacesTheWholeList()
    {
        var baseConfig = Json("""{"DiSRouter":{"GatewayPort":8080,"Agents":[{"Name":"a"},{"Name":"b"},{"Name":"c"}]}}""");
        var overlay = Json("""{"DiSRouter":{"Agents":[{"Name":"x","Cost":0.3}]}}""");
        var layered = new ConfigurationBuilder().AddConfiguration(baseConfig).AddConfiguration(overlay).Build();

        var sut = TopologyReader.Read(layered, overlay);

        Assert.Equal(["x"], sut.Agents.Select(a => a.Name));
        Assert.Equal(8080, sut.GatewayPort);
    }

    [Fact]
    public void NestedSettingsArePassedAsFlatPaths()
    {
        var configuration = Json("""
            {"DiSRouter":{"GatewaySettings":{"RateLimit":{"Burst":100}},
             "Agents":[{"Name":"a","Settings":{"MaxNewTokens":64,"Reload":{"PollSeconds":2}}}]}}
            """);

        var sut = TopologyReader.Read(configuration);

        Assert.Equal("100", sut.GatewaySettings["RateLimit:Burst"]);
        Assert.Equal("64", sut.Agents[0].Settings["MaxNewTokens"]);
        Assert.Equal("2", sut.Agents[0].Settings["Reload:PollSeconds"]);
    }

    private static IConfiguration Json(string json) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json))).Build();
}
