using System.Text.Json;
using DiSRouter.Training.Jobs;
using DiSRouter.Training.SelfAwareness;
using DiSRouter.Training.Tests.Jobs;
using DiSRouter.Training.Tests.SelfAwareness;

namespace DiSRouter.Training.Tests.Commands;

/// <summary>The training CLI as a real process, stopped by a real SIGTERM (what the jobs' runner and a container stop send).</summary>
public sealed class StageSignalTests : IDisposable
{
    private readonly TinyCheckpoints _tiny = new();

    public void Dispose() => _tiny.Dispose();

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    private string[] Sft(string run) =>
        ["sft", "--model", _tiny.Sub("base"), "--out", run, "--steps", "400", "--batch", "4", "--micro-batch", "4", "--lr", "3e-3", "--warmup", "2", "--save-every", "20", "--seed", "3"];

    [Fact]
    public async Task SftStoppedBySigtermSavesWhereItStoodAndResumesToTheWeightsOfAnUninterruptedRun()
    {
        TinyWorld.SaveRandomModel(_tiny.Sub("base"), seed: 1);
        var whole = _tiny.Sub("whole");
        var run = _tiny.Sub("run");
        TinyCheckpoints.WriteLadderSamples(whole);
        TinyCheckpoints.WriteLadderSamples(run);
        var log = new List<string>();

        // Stopped once its first resume point (step 20) is on disk, well before step 400.
        using var stop = new CancellationTokenSource();
        var state = Path.Combine(run, "sft.state");
        var stopped = StageProcess.RunAsync(Sft(run), l => { lock (log) log.Add(l); }, stop.Token);
        using (var deadline = new CancellationTokenSource(Timeout))
            while (!Directory.Exists(state) && !stopped.IsCompleted) await Task.Delay(10, deadline.Token);
        stop.Cancel();
        int rc = await stopped.WaitAsync(Timeout);

        Assert.True(rc == 130, $"exit {rc}: {string.Join("\n", log)}"); // the CLI's own exit on a signal: it stopped and saved
        int step = JsonDocument.Parse(File.ReadAllText(Path.Combine(state, "progress.json"))).RootElement.GetProperty("Step").GetInt32();
        Assert.InRange(step, 20, 399);
        Assert.False(Directory.Exists(Path.Combine(run, SftStage.CheckpointFolder))); // nothing published part way
        Assert.Equal("interrupted", StageReport.TryLoad(StageReport.PathFor(run, "sft"))!.Status);

        Assert.Equal(0, await StageProcess.RunAsync(Sft(run), _ => { }, CancellationToken.None).WaitAsync(Timeout));
        Assert.Equal(0, await StageProcess.RunAsync(Sft(whole), _ => { }, CancellationToken.None).WaitAsync(Timeout));

        var weights = Path.Combine(SftStage.CheckpointFolder, "model.safetensors");
        Assert.Equal(File.ReadAllBytes(Path.Combine(whole, weights)), File.ReadAllBytes(Path.Combine(run, weights))); // bit for bit
        Assert.False(Directory.Exists(state));
        Assert.Equal((2, 400L), (StageReport.TryLoad(StageReport.PathFor(run, "sft"))!.Runs, StageReport.TryLoad(StageReport.PathFor(run, "sft"))!.OptimizerSteps));
    }
}
