using DiSRouter.Models.Checkpoints;
using DiSRouter.Tests.Disks;
using DiSRouter.Training.Jobs;

namespace DiSRouter.Training.Tests.Jobs;

/// <summary>A publish onto a disk that fills up (a real ENOSPC on a small tmpfs), through the CLI as a job's would run.</summary>
public sealed class PublishFullDiskTests : IDisposable
{
    private readonly TinyCheckpoints _tiny = new();

    public void Dispose() => _tiny.Dispose();

    [SmallDiskFact]
    public async Task PublishOntoAFullDiskFailsWithItsReasonAndLeavesTheServingCheckpointWhole()
    {
        using var disk = SmallDisk.Mount(megabytes: 8);
        var serving = Path.Combine(disk.Root, "store", "nano-1");
        CheckpointPublisher.Publish(_tiny.Save("small", seed: 1), serving);
        var before = TinyCheckpoints.Snapshot(serving);
        var large = _tiny.Save("large", seed: 2, intermediateSize: 8192); // 3 MB of weights
        disk.Fill(leaveBytes: 1 << 20);

        using (var publish = CliProcess.Start("job", "publish", "--from", large, "--to", serving))
        {
            await publish.UntilExitAsync();
            Assert.True(publish.ExitCode == 1, publish.Output);
            Assert.Contains("No space left on device", publish.Output);
            Assert.Contains($"{serving} is unchanged", publish.Output);
        }
        TinyCheckpoints.AssertSame(before, TinyCheckpoints.Snapshot(serving));
        Assert.Empty(CheckpointPublisher.Leftovers(serving)); // the half copy is gone: the space is back
        Checkpoint.Load(serving);

        disk.Free();
        using var again = CliProcess.Start("job", "publish", "--from", large, "--to", serving);
        await again.UntilExitAsync();
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.True(CheckpointPublisher.AlreadyServes(large, serving));
    }
}
