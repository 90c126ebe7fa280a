using DiSRouter.AppHost.Topology;

namespace DiSRouter.AppHost.Tests.Topology;

public sealed class LaunchArgumentsTests
{
    [Fact]
    public void NoArgumentsMeansTheWholeTopologyOnItsConfiguredPort()
    {
        var sut = LaunchArguments.Parse([]);

        Assert.Null(sut.Agents);
        Assert.Null(sut.GatewayPort);
        Assert.Null(sut.ConfigFile);
        Assert.False(sut.Help);
    }

    [Theory]
    [InlineData((object)new[] { "--agents", "agent-2,agent-3,agent-5" })]
    [InlineData((object)new[] { "--agents=agent-2, agent-3 ,agent-5" })]
    [InlineData((object)new[] { "--agents", "agent-2,,agent-3,agent-5," })]
    public void AgentsAreReadAsACommaSeparatedList(string[] args)
    {
        var sut = LaunchArguments.Parse(args);

        Assert.Equal(["agent-2", "agent-3", "agent-5"], sut.Agents);
    }

    [Theory]
    [InlineData(new[] { "--gateway-port", "9090" }, 9090)]
    [InlineData(new[] { "--gateway-port=0" }, 0)]
    public void GatewayPortIsRead(string[] args, int port) => Assert.Equal(port, LaunchArguments.Parse(args).GatewayPort);

    [Theory]
    [InlineData(new[] { "--gateway-port", "http" }, "--gateway-port must be a port number")]
    [InlineData(new[] { "--gateway-port", "70000" }, "--gateway-port must be a port number")]
    [InlineData(new[] { "--gateway-port", "-1" }, "--gateway-port must be a port number")]
    [InlineData(new[] { "--gateway-port" }, "--gateway-port needs a value")]
    [InlineData(new[] { "--agents", "--gateway-port", "1" }, "--agents needs a value")]
    [InlineData(new[] { "--agents", "," }, "at least one agent")]
    [InlineData(new[] { "extra" }, "Unknown argument 'extra'")]
    public void BadArgumentsAreRefusedWithTheReason(string[] args, string reason)
    {
        var error = Assert.Throws<ArgumentException>(() => LaunchArguments.Parse(args));

        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void HelpWinsOverEverythingElse() => Assert.True(LaunchArguments.Parse(["--agents", "a", "--help"]).Help);
}
