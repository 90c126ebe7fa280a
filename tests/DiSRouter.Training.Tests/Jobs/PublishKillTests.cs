using System.Diagnostics;
using System.Security.Cryptography;
using DiSRouter.Models.Checkpoints;
using DiSRouter.Training.Jobs;
using Xunit.Abstractions;

namespace DiSRouter.Training.Tests.Jobs;

/// <summary>
/// The training CLI's <c>job publish</c> as a real process, killed with SIGKILL at points spread over its publish:
/// whatever the moment, the serving directory holds one of the two checkpoints whole (file hashes, and the engine's
/// loader), and the next publish cleans up what the killed one left and succeeds.
/// (scripts/reliability/publish-kill.sh runs the same with a serving agent watching, for the figure in docs/reliability.md.)
/// </summary>
public sealed class PublishKillTests(ITestOutputHelper output) : IDisposable
{
    private const int Kills = 10;

    private readonly TinyCheckpoints _tiny = new();

    public void Dispose() => _tiny.Dispose();

    [Fact]
    public async Task PublishKilledAtAnyPointLeavesAWholeCheckpointAndTheNextPublishRecovers()
    {
        // Large enough (12 MB and 9 MB of weights) that copying and verifying take a while to land kills in; their
        // config.json differs too, so a mix of the two would not even load.
        var a = _tiny.Save("a", seed: 1, intermediateSize: 32768);
        var b = _tiny.Save("b", seed: 2, intermediateSize: 24576);
        var known = new Dictionary<string, Dictionary<string, string>> { ["a"] = Hashes(a), ["b"] = Hashes(b) };
        var serving = _tiny.Sub("store/nano-1");

        // One publish unkilled, timed from its staging folder's appearance until nothing is left beside the target (the
        // copy, the check, the swap and the old copy's deletion): the kills are spread over that span.
        // Each unkilled publish after a kill measures it again: the machine's speed changes under other work.
        using var first = await StartPublishAsync(a, serving);
        var spanMs = await SpanAsync(first, serving);
        await first.UntilExitAsync();
        Assert.True(first.ExitCode == 0, first.Output);

        var states = new List<string>();
        for (var k = 0; k < Kills; k++)
        {
            var before = Whole(serving, known);
            var next = before == "a" ? b : a;
            using var publish = await StartPublishAsync(next, serving);
            var delay = spanMs * 6 / 5 * k / (Kills - 1); // 0 … a little past the span: from the first copy to after the swap
            await Task.Delay(delay);
            publish.Kill();

            var left = CheckpointPublisher.Leftovers(serving).Count();
            var after = Whole(serving, known);
            Assert.True(after is "a" or "b", $"kill {k}: the serving directory holds {after}");
            Checkpoint.Load(serving);
            states.Add(after == before ? "old" : "new");

            using var recovery = await StartPublishAsync(next, serving);
            var measured = await SpanAsync(recovery, serving);
            await recovery.UntilExitAsync();
            Assert.True(recovery.ExitCode == 0, recovery.Output);
            Assert.Equal(next == a ? "a" : "b", Whole(serving, known));
            Assert.Empty(CheckpointPublisher.Leftovers(serving));
            output.WriteLine($"kill {k} at {delay} ms of {spanMs}: {states[^1]} checkpoint, {left} folder(s) beside it; {recovery.Output.Trim()}");
            spanMs = measured;
        }
        Assert.Contains("old", states); // the first kill lands during the copy, before any swap
    }

    /// <summary>Milliseconds from the staging folder's appearance until nothing is left beside the target: one whole publish.</summary>
    private static async Task<int> SpanAsync(CliProcess publish, string serving)
    {
        using var deadline = new CancellationTokenSource(CliProcess.Timeout);
        while (!publish.HasExited && CheckpointPublisher.HasUnfinished(serving)) await Task.Delay(1, deadline.Token);
        return Math.Max(1, (int)publish.Staged.ElapsedMilliseconds);
    }

    /// <summary>"a" or "b" when the folder holds exactly that checkpoint's files, byte for byte; else what it holds.</summary>
    private static string Whole(string dir, Dictionary<string, Dictionary<string, string>> known)
    {
        if (!Directory.Exists(dir)) return "nothing";
        var hashes = Hashes(dir);
        foreach (var (name, files) in known)
            if (files.Count == hashes.Count && files.All(f => hashes.GetValueOrDefault(f.Key) == f.Value)) return name;
        return "a mix: " + string.Join(", ", hashes.Select(h => $"{h.Key} {known.FirstOrDefault(k => k.Value.GetValueOrDefault(h.Key) == h.Value).Key ?? "?"}"));
    }

    private static Dictionary<string, string> Hashes(string dir) => Directory.EnumerateFiles(dir).ToDictionary(
        f => Path.GetFileName(f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

    /// <summary>Starts <c>job publish</c> and returns once its own staging folder has appeared beside the target (or it has exited).</summary>
    private static async Task<CliProcess> StartPublishAsync(string from, string to)
    {
        var killed = CheckpointPublisher.Leftovers(to).ToHashSet(); // a killed publish's, deleted first by this one
        var process = CliProcess.Start("job", "publish", "--from", from, "--to", to);
        using var deadline = new CancellationTokenSource(CliProcess.Timeout);
        while (!process.HasExited && !CheckpointPublisher.Leftovers(to).Any(d => Path.GetFileName(d).Contains(".publish-") && !killed.Contains(d)))
            await Task.Delay(1, deadline.Token);
        process.Staged = Stopwatch.StartNew();
        return process;
    }
}
