using DiSRouter.Training.Jobs;
using DiSRouter.Models.Checkpoints;

namespace DiSRouter.Training.Tests.Jobs;

public sealed class CheckpointPublisherTests : IDisposable
{
    private readonly TinyCheckpoints _tiny = new();

    public void Dispose() => _tiny.Dispose();

    [Fact]
    public void PublishReplacesTheServingCheckpointWithTheTrainedOne()
    {
        var serving = _tiny.Save("serving", seed: 1);
        var trained = _tiny.Save("trained", seed: 2);

        CheckpointPublisher.Publish(trained, serving);

        TinyCheckpoints.AssertSame(TinyCheckpoints.Snapshot(trained), TinyCheckpoints.Snapshot(serving));
        Checkpoint.Load(serving);
    }

    [Fact]
    public void ATargetHoldingTheSameBytesAlreadyServesTheCheckpointAndOneChangedByteDoesNot()
    {
        var trained = _tiny.Save("trained", seed: 2);
        var serving = _tiny.Save("serving", seed: 1);
        Assert.False(CheckpointPublisher.AlreadyServes(trained, serving));
        Assert.False(CheckpointPublisher.AlreadyServes(trained, _tiny.Sub("nowhere")));

        CheckpointPublisher.Publish(trained, serving);
        Assert.True(CheckpointPublisher.AlreadyServes(trained, serving));

        var weights = Path.Combine(serving, Checkpoint.WeightsFileName);
        var bytes = File.ReadAllBytes(weights);
        bytes[^1] ^= 1; // same length, one bit apart
        File.WriteAllBytes(weights, bytes);
        Assert.False(CheckpointPublisher.AlreadyServes(trained, serving));
    }

    [Fact]
    public void PublishIntoAMissingDirectoryCreatesIt()
    {
        var trained = _tiny.Save("trained", seed: 2);
        var serving = _tiny.Sub("store/nano-3");

        CheckpointPublisher.Publish(trained, serving);

        TinyCheckpoints.AssertSame(TinyCheckpoints.Snapshot(trained), TinyCheckpoints.Snapshot(serving));
    }

    [Fact]
    public void ACheckpointThatDoesNotLoadIsRefusedAndTheOldOneStays()
    {
        var serving = _tiny.Save("serving", seed: 1);
        var before = TinyCheckpoints.Snapshot(serving);
        var broken = _tiny.Save("broken", seed: 2);
        var weights = Path.Combine(broken, Checkpoint.WeightsFileName);
        File.WriteAllBytes(weights, File.ReadAllBytes(weights)[..^100]); // cut off, as by a full disk

        var e = Assert.Throws<PublishRefusedException>(() => CheckpointPublisher.Publish(broken, serving));

        Assert.Contains("does not load", e.Message);
        TinyCheckpoints.AssertSame(before, TinyCheckpoints.Snapshot(serving));
        Assert.Empty(CheckpointPublisher.Leftovers(serving)); // no staging folder left either
    }

    [Fact]
    public void AnIncompleteCheckpointIsRefusedAndTheOldOneStays()
    {
        var serving = _tiny.Save("serving", seed: 1);
        var before = TinyCheckpoints.Snapshot(serving);
        var partial = _tiny.Save("partial", seed: 2);
        File.Delete(Path.Combine(partial, "tokenizer.json"));

        var e = Assert.Throws<PublishRefusedException>(() => CheckpointPublisher.Publish(partial, serving));

        Assert.Contains("tokenizer.json is missing", e.Message);
        TinyCheckpoints.AssertSame(before, TinyCheckpoints.Snapshot(serving));
    }

    [Fact]
    public void AReaderThatChecksTheFilesDidNotChangeNeverGetsAMixOfTwoCheckpoints()
    {
        // Two checkpoints that differ in config.json and in the weights' shapes: a mix would not even load.
        var a = TinyCheckpoints.Snapshot(_tiny.Save("a", seed: 1, intermediateSize: 96));
        var b = TinyCheckpoints.Snapshot(_tiny.Save("b", seed: 2, intermediateSize: 64));
        var serving = _tiny.Sub("serving");
        CheckpointPublisher.Publish(_tiny.Sub("a"), serving);

        var publishing = true;
        var accepted = new List<string>();
        var torn = new List<string>();
        var reader = new Thread(() =>
        {
            // LocalCheckpointBackend's protocol: a complete folder, its files' size and time the same before and after reading.
            while (Volatile.Read(ref publishing) || accepted.Count == 0)
            {
                var before = Fingerprint(serving);
                if (before is null) continue;
                var files = new Dictionary<string, byte[]>();
                try
                {
                    foreach (var name in CheckpointPublisher.Files) files[name] = File.ReadAllBytes(Path.Combine(serving, name));
                }
                catch (FileNotFoundException) { continue; }
                foreach (var (name, bytes) in files)
                    if (!bytes.AsSpan().SequenceEqual(a[name]) && !bytes.AsSpan().SequenceEqual(b[name])) torn.Add(name);
                if (Fingerprint(serving) != before) continue;
                accepted.Add(files.All(f => f.Value.AsSpan().SequenceEqual(a[f.Key])) ? "a"
                    : files.All(f => f.Value.AsSpan().SequenceEqual(b[f.Key])) ? "b" : "mix");
            }
        });
        reader.Start();
        for (var i = 0; i < 30; i++) CheckpointPublisher.Publish(_tiny.Sub(i % 2 == 0 ? "b" : "a"), serving);
        Volatile.Write(ref publishing, false);
        Assert.True(reader.Join(TimeSpan.FromSeconds(60)));

        Assert.Empty(torn);
        Assert.NotEmpty(accepted);
        Assert.DoesNotContain("mix", accepted);
        TinyCheckpoints.AssertSame(a, TinyCheckpoints.Snapshot(serving)); // the last publish (i = 29) was a
    }

    [Fact]
    public void APublishKilledAfterItsSwapLeavesTheNewCheckpointAndRecoverDeletesTheOldCopy()
    {
        var serving = _tiny.Save("serving", seed: 1);
        var trained = _tiny.Save("trained", seed: 2);
        var ready = CheckpointPublisher.Stage(trained, serving);
        Assert.True(LinuxFiles.TryExchange(ready, serving), "the test's temp folder cannot swap two names");
        // Killed here: the old checkpoint sits in the ready folder, waiting to be deleted.
        TinyCheckpoints.AssertSame(TinyCheckpoints.Snapshot(trained), TinyCheckpoints.Snapshot(serving));
        Assert.True(CheckpointPublisher.HasUnfinished(serving));

        CheckpointPublisher.Recover(serving);

        Assert.Empty(CheckpointPublisher.Leftovers(serving));
        TinyCheckpoints.AssertSame(TinyCheckpoints.Snapshot(trained), TinyCheckpoints.Snapshot(serving));
    }

    [Fact]
    public void ASwapByTwoRenamesCutBetweenThemIsFinishedByRecover()
    {
        var serving = _tiny.Save("serving", seed: 1);
        var trained = _tiny.Save("trained", seed: 2);
        var ready = CheckpointPublisher.Stage(trained, serving);
        // A file system without RENAME_EXCHANGE: the serving checkpoint moved aside, the process killed before the new one moved in.
        Directory.Move(serving, CheckpointPublisher.Sibling(serving, "old", Path.GetFileName(ready)[^32..]));
        Assert.False(Directory.Exists(serving));

        CheckpointPublisher.Recover(serving);

        Assert.Empty(CheckpointPublisher.Leftovers(serving));
        TinyCheckpoints.AssertSame(TinyCheckpoints.Snapshot(trained), TinyCheckpoints.Snapshot(serving));
    }

    [Fact]
    public void AServingCheckpointMovedAsideWithNoVerifiedCopyBesideItIsMovedBack()
    {
        var serving = _tiny.Save("serving", seed: 1);
        var before = TinyCheckpoints.Snapshot(serving);
        Directory.Move(serving, CheckpointPublisher.Sibling(serving, "old", Guid.NewGuid().ToString("N")));

        CheckpointPublisher.Recover(serving);

        Assert.Empty(CheckpointPublisher.Leftovers(serving));
        TinyCheckpoints.AssertSame(before, TinyCheckpoints.Snapshot(serving));
    }

    [Fact]
    public void ACopyCutOffBeforeItWasVerifiedIsDiscardedByRecover()
    {
        var serving = _tiny.Save("serving", seed: 1);
        var before = TinyCheckpoints.Snapshot(serving);
        var half = Directory.CreateDirectory(CheckpointPublisher.Sibling(serving, "publish", "0123456789abcdef0123456789abcdef")).FullName;
        File.WriteAllBytes(Path.Combine(half, "config.json"), [1, 2, 3]);
        Assert.True(CheckpointPublisher.HasUnfinished(serving));

        CheckpointPublisher.Recover(serving);

        Assert.False(Directory.Exists(half));
        TinyCheckpoints.AssertSame(before, TinyCheckpoints.Snapshot(serving));
    }

    [Fact]
    public void APublishByTwoRenamesGivesTheSameCheckpointAndLeavesNothingBeside()
    {
        var serving = _tiny.Save("serving", seed: 1);
        var trained = _tiny.Save("trained", seed: 2);

        CheckpointPublisher.Publish(trained, serving, exchange: false);

        TinyCheckpoints.AssertSame(TinyCheckpoints.Snapshot(trained), TinyCheckpoints.Snapshot(serving));
        Assert.Empty(CheckpointPublisher.Leftovers(serving));
    }

    [Fact]
    public void FilesOfTheServingDirectoryThatAreNotTheCheckpointsStayThroughAPublish()
    {
        var serving = _tiny.Save("serving", seed: 1);
        File.WriteAllText(Path.Combine(serving, "NOTES.md"), "served since Monday");
        var trained = _tiny.Save("trained", seed: 2);

        CheckpointPublisher.Publish(trained, serving);

        Assert.Equal("served since Monday", File.ReadAllText(Path.Combine(serving, "NOTES.md")));
        Assert.True(CheckpointPublisher.AlreadyServes(trained, serving));
    }

    [Fact]
    public void LeftoversOfAnotherServingDirectoryInTheSameParentAreNotTouched()
    {
        var serving = _tiny.Save("nano-1", seed: 1);
        var other = Directory.CreateDirectory(CheckpointPublisher.Sibling(_tiny.Sub("nano-10"), "publish", "0123456789abcdef0123456789abcdef")).FullName;

        CheckpointPublisher.Publish(_tiny.Save("trained", seed: 2), serving);

        Assert.True(Directory.Exists(other));
    }

    private static void Calibrate(string checkpoint, double gap, string? weights = null) => new DecisionThresholds
    {
        AnswerText = "Let's think step by step:",
        RejectText = "I don't know!",
        WeightsSha256 = weights ?? WeightsFingerprint.Of(Checkpoint.Load(checkpoint).Model),
        Points = [new DecisionPoint(0.5, gap)],
    }.Write(checkpoint);

    [Fact]
    public void DecisionThresholdsTravelWithTheirWeightsAndLeaveWithThem()
    {
        var serving = _tiny.Save("serving", seed: 1);
        var calibrated = _tiny.Save("calibrated", seed: 2);
        Calibrate(calibrated, gap: 1.5);

        CheckpointPublisher.Publish(calibrated, serving);
        TinyCheckpoints.AssertSame(TinyCheckpoints.Snapshot(calibrated), TinyCheckpoints.Snapshot(serving));
        Assert.Equal(1.5, DecisionThresholds.TryRead(serving)!.Points[0].LogitGap);
        Assert.True(CheckpointPublisher.AlreadyServes(calibrated, serving));

        // Recalibrated: the same weights with other thresholds are a change to publish.
        Calibrate(calibrated, gap: -0.5);
        Assert.False(CheckpointPublisher.AlreadyServes(calibrated, serving));
        CheckpointPublisher.Publish(calibrated, serving);
        Assert.Equal(-0.5, DecisionThresholds.TryRead(serving)!.Points[0].LogitGap);

        // A checkpoint without thresholds replaces one with them: the old thresholds must not stay beside new weights.
        var plain = _tiny.Save("plain", seed: 3);
        Assert.False(CheckpointPublisher.AlreadyServes(plain, serving));
        CheckpointPublisher.Publish(plain, serving);
        Assert.Null(DecisionThresholds.TryRead(serving));
        TinyCheckpoints.AssertSame(TinyCheckpoints.Snapshot(plain), TinyCheckpoints.Snapshot(serving));
    }

    [Fact]
    public void ThresholdsMadeForOtherWeightsAreRefusedAndTheServingCheckpointStays()
    {
        var serving = _tiny.Save("serving", seed: 1);
        var before = TinyCheckpoints.Snapshot(serving);
        var trained = _tiny.Save("trained", seed: 2);
        Calibrate(trained, gap: 1, weights: "0000000000000000");

        var e = Assert.Throws<PublishRefusedException>(() => CheckpointPublisher.Publish(trained, serving));

        Assert.Contains("calibrated on other weights", e.Message);
        TinyCheckpoints.AssertSame(before, TinyCheckpoints.Snapshot(serving));
    }

    private static string? Fingerprint(string dir)
    {
        var parts = new List<string>();
        foreach (var name in CheckpointPublisher.Files)
        {
            var file = new FileInfo(Path.Combine(dir, name));
            if (!file.Exists) return null;
            parts.Add($"{name}:{file.Length}:{file.LastWriteTimeUtc.Ticks}");
        }
        return string.Join('|', parts);
    }
}
