using DiSRouter.AppHost.Supervision;
using Microsoft.Extensions.Configuration;

namespace DiSRouter.AppHost.Tests.Supervision;

public sealed class RestartPolicyTests
{
    [Fact]
    public void RestartsBackOffByDoublingUpToTheLongestDelay()
    {
        var sut = RestartPolicy.Default;

        var delays = Enumerable.Range(1, 7).Select(n => sut.DelayBefore(n).TotalSeconds);

        Assert.Equal([1, 2, 4, 8, 16, 30, 30], delays);
    }

    [Fact]
    public void ConfigurationSetsTheLimitsAndZeroRestartsTurnsSupervisionOff()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DiSRouter:Restarts:MaxRestarts"] = "0",
            ["DiSRouter:Restarts:WindowSeconds"] = "60",
        }).Build();

        var sut = RestartPolicy.Read(configuration);

        Assert.False(sut.Enabled);
        Assert.Equal(TimeSpan.FromMinutes(1), sut.Window);
        Assert.Equal(RestartPolicy.Default.FirstDelay, sut.FirstDelay);
    }

    [Theory]
    [InlineData("MaxRestarts", "-1")]
    [InlineData("WindowSeconds", "soon")]
    public void BadSettingIsRefusedWithItsName(string key, string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [$"DiSRouter:Restarts:{key}"] = value }).Build();

        var error = Assert.Throws<InvalidDataException>(() => RestartPolicy.Read(configuration));

        Assert.Contains($"DiSRouter:Restarts:{key}", error.Message);
        Assert.Contains(value, error.Message);
    }
}
