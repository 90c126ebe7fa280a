using DiSRouter.Training.SelfAwareness;

namespace DiSRouter.Training.Tests.SelfAwareness;

public sealed class StageRunnerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("disrouter-runner-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string ReportPath => StageReport.PathFor(_dir, "toy");
    private string ResumePoint => Path.Combine(_dir, "toy.state");

    // A resume point as the training stages write theirs: a folder filled under a temp name and swapped in whole.
    private void WriteResumePoint(int units, bool dieHalfWay = false) =>
        AtomicWrite.ReplaceDirectory(ResumePoint, d =>
        {
            File.WriteAllText(Path.Combine(d, "units.txt"), units.ToString());
            if (dieHalfWay) throw new IOException("No space left on device"); // the second file never arrives
            File.WriteAllText(Path.Combine(d, "weights.bin"), new string('w', 1000 + units));
        });

    [Fact]
    public void ResumePointsAreWrittenEveryNUnitsAndNotAfterTheLast()
    {
        var savedAt = new List<int>();
        int done = 0;
        var runner = new StageRunner("toy", new StageMeter("toy", null), ReportPath) { SaveEvery = 3, Save = _ => savedAt.Add(done) };

        runner.Run(0, 7, i => { done = i + 1; return null; }, CancellationToken.None);
        var report = runner.Complete();

        Assert.Equal([3, 6], savedAt); // unit 7 is the last: the output is published instead
        Assert.Equal("complete", report.Status);
        Assert.Equal("complete", StageReport.TryLoad(ReportPath)!.Status);
    }

    [Fact]
    public void ACancelledRunSavesWhatItDidSinceItsLastResumePointAndRethrows()
    {
        using var cts = new CancellationTokenSource();
        int done = 0;
        var runner = new StageRunner("toy", new StageMeter("toy", null), ReportPath)
        {
            SaveEvery = 3,
            Save = _ => WriteResumePoint(done),
        };

        Assert.ThrowsAny<OperationCanceledException>(() => runner.Run(0, 10, i =>
        {
            done = i + 1;
            if (done == 5) cts.Cancel();
            return null;
        }, cts.Token));

        Assert.Equal("5", File.ReadAllText(Path.Combine(ResumePoint, "units.txt")));
        Assert.Equal(2, runner.Saves); // after unit 3, and on the cancel after unit 5
        Assert.Equal("interrupted", StageReport.TryLoad(ReportPath)!.Status);
    }

    [Fact]
    public void ACancelRightAfterAResumePointWritesNoSecondOne()
    {
        using var cts = new CancellationTokenSource();
        var runner = new StageRunner("toy", new StageMeter("toy", null), ReportPath) { SaveEvery = 2, Save = _ => WriteResumePoint(2) };

        Assert.ThrowsAny<OperationCanceledException>(() => runner.Run(0, 10, i => { if (i == 1) cts.Cancel(); return null; }, cts.Token));

        Assert.Equal(1, runner.Saves);
        Assert.Equal("interrupted", StageReport.TryLoad(ReportPath)!.Status); // the report still records the run
    }

    [Fact]
    public void ASaveThatDiesHalfWayLeavesThePreviousResumePointIntact()
    {
        int done = 0;
        var runner = new StageRunner("toy", new StageMeter("toy", null), ReportPath)
        {
            SaveEvery = 2,
            Save = _ => WriteResumePoint(done, dieHalfWay: done == 4),
        };

        var e = Assert.Throws<IOException>(() => runner.Run(0, 10, i => { done = i + 1; return null; }, CancellationToken.None));

        Assert.Contains("No space", e.Message);
        Assert.Equal("2", File.ReadAllText(Path.Combine(ResumePoint, "units.txt")));
        Assert.Equal(1002, new FileInfo(Path.Combine(ResumePoint, "weights.bin")).Length);
        Assert.Equal(["toy.state"], Directory.EnumerateDirectories(_dir).Select(Path.GetFileName)); // no half-written folder beside it
    }

    [Fact]
    public void CompletePublishesBeforeItMarksTheReportAndThenRemovesTheResumePoint()
    {
        WriteResumePoint(3);
        var order = new List<string>();
        var runner = new StageRunner("toy", new StageMeter("toy", null), ReportPath);

        runner.Complete(() =>
        {
            order.Add(StageReport.TryLoad(ReportPath)?.Status ?? "no report");
            Assert.True(Directory.Exists(ResumePoint));
        }, ResumePoint);

        Assert.Equal(["no report"], order);
        Assert.Equal("complete", StageReport.TryLoad(ReportPath)!.Status);
        Assert.False(Directory.Exists(ResumePoint));
    }

    [Fact]
    public void ProgressIsToldBeforeTheFirstUnitAfterEachAndBeforeEverySave()
    {
        var seen = new List<string>();
        var runner = new StageRunner("toy", new StageMeter("toy", null), ReportPath)
        {
            SaveEvery = 2,
            Save = _ => { },
            Progress = p => seen.Add($"{p.Done}/{p.Total}{(p.Detail is null ? "" : " " + p.Detail)}"),
        };

        runner.Run(1, 4, i => $"u{i}", CancellationToken.None);

        Assert.Equal(["1/4", "2/4 u1", "2/4 saving", "3/4 u2", "4/4 u3"], seen);
    }
}
