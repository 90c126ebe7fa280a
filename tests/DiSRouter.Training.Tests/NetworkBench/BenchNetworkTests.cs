using DiSRouter.Training.NetworkBench;
using DiSRouter.Training.Pool;

namespace DiSRouter.Training.Tests.NetworkBench;

public sealed class BenchNetworkTests
{
    [Fact]
    public void DefaultOverlayLiftsTheRateLimitAndLeavesTheShippedAgentsAndJobsAlone()
    {
        // Listing the agents would make the AppHost drop the jobs, and with them the self-aware checkpoints the jobs
        // published: the bench would then measure the base pool, whose agents never reject.
        var overlay = BenchNetwork.Overlay(BenchOptions.Parse([]), PoolPaths.RepositoryRoot())["DiSRouter"]!.AsObject();

        Assert.False(overlay.ContainsKey("Agents"));
        Assert.False(overlay.ContainsKey("Jobs"));
        Assert.Equal(100000, (int)overlay["GatewaySettings"]!["RateLimit"]!["RequestsPerSecond"]!);
    }

    [Fact]
    public void CheckpointsDirectoryReplacesEachLocalAgentsCheckpoint()
    {
        var dir = Directory.CreateTempSubdirectory("bench-overlay-").FullName;
        try
        {
            var overlay = BenchNetwork.Overlay(BenchOptions.Parse(["--checkpoints", dir]), PoolPaths.RepositoryRoot())["DiSRouter"]!;

            var agents = overlay["Agents"]!.AsArray();
            Assert.Equal(5, agents.Count);
            Assert.Equal(Path.Combine(dir, "nano-1"), (string)agents[0]!["Checkpoint"]!);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
