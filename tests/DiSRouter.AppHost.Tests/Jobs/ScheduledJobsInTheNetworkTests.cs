using System.Text.Json.Nodes;
using DiSRouter.AppHost.Jobs;
using DiSRouter.AppHost.Tests.Infrastructure;

namespace DiSRouter.AppHost.Tests.Jobs;

/// <summary>The scheduler runs with the network and stops with it, taking its stage processes along.</summary>
public sealed class ScheduledJobsInTheNetworkTests : IDisposable
{
    private readonly TinyCheckpoints _tiny = new();

    public void Dispose() => _tiny.Dispose();

    [Fact]
    public async Task SigtermStopsTheNetworkAndTheScheduledJobsStageWithoutPublishing()
    {
        _tiny.Save("base", seed: 1);
        var serving = _tiny.Save("serving", seed: 5);
        var before = TinyCheckpoints.Snapshot(serving);
        using var topology = new TopologyFile(new JsonObject
        {
            ["Agents"] = new JsonArray(new JsonObject { ["Name"] = "agent-1", ["Cost"] = 0.1, ["Backend"] = "local", ["Checkpoint"] = serving }),
            ["Jobs"] = new JsonArray(new JsonObject
            {
                ["Name"] = "selfaware-tiny", ["Agent"] = "agent-1", ["Base"] = _tiny.Sub("base"), ["Run"] = _tiny.Sub("run"),
                ["Publish"] = serving, ["Logs"] = _tiny.Sub("logs"), ["Stages"] = new JsonArray("sample", "sft"),
                ["Arguments"] = new JsonObject { ["sample"] = "--queries 600 --n 8 --max-new-tokens 64" }, // minutes of work
                ["Schedule"] = "* * * * * ?",
            }),
        });
        await using var sut = AppHostProcess.Start(["--config", topology.Path, "--gateway-port", "0"]);

        await sut.WaitForLineAsync(@"^\[apphost\] job selfaware-tiny scheduled ""\* \* \* \* \* \?"", next at ", TestDotnet.Start);
        await sut.WaitReadyAsync(TestDotnet.Start);
        await sut.WaitForLineAsync(@"^\[selfaware-tiny/sample\] .*sample: start", TestDotnet.Start);
        var children = sut.Children.Values.ToList();
        Assert.NotEmpty(TinyCheckpoints.ProcessesNaming(_tiny.Sub("run")));

        Assert.Equal(0, await sut.TerminateAsync(TestDotnet.Stop));

        await TestDotnet.AssertAllGoneAsync(children, TestDotnet.Stop);
        Assert.Empty(TinyCheckpoints.ProcessesNaming(_tiny.Sub("run")));
        var status = JobStatus.Latest(_tiny.Sub("logs"))!;
        Assert.Equal((JobOutcome.Cancelled, false, 130), (status.Outcome, status.Published, status.Stages[0].ExitCode));
        TinyCheckpoints.AssertSame(before, TinyCheckpoints.Snapshot(serving));
    }
}
