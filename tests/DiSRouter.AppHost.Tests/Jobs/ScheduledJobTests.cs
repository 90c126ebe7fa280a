using System.Diagnostics;
using DiSRouter.AppHost.Tests.Infrastructure;
using Aspire.Hosting.ApplicationModel;
using DiSRouter.Models.Checkpoints;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace DiSRouter.AppHost.Tests.Jobs;

/// <summary>A job with a schedule is started by the app model when its time comes, and publishes into its agent's serving directory.</summary>
public sealed class ScheduledJobTests(ScheduledJobFixture network, ITestOutputHelper output) : IClassFixture<ScheduledJobFixture>
{
    [Fact]
    public async Task ScheduleStartsTheJobWhichPublishesIntoTheAgentsServingDirectory()
    {
        var sw = Stopwatch.StartNew();
        // Nobody starts it: the schedule fires within two seconds of the network's start.
        var started = await network.App.ResourceNotifications.WaitForResourceAsync(ScheduledJobFixture.Job,
            e => e.Snapshot.State?.Text == KnownResourceStates.Running).WaitAsync(NetworkFixture.StartTimeout);
        output.WriteLine($"started by its schedule {sw.Elapsed.TotalSeconds:0.0} s into the test, at {started.Snapshot.StartTimeStamp:HH:mm:ss.fff}");
        var ended = await network.App.ResourceNotifications.WaitForResourceAsync(ScheduledJobFixture.Job,
            e => KnownResourceStates.TerminalStates.Contains(e.Snapshot.State?.Text)).WaitAsync(NetworkFixture.StartTimeout);
        output.WriteLine($"ended {ended.Snapshot.State?.Text} with exit code {ended.Snapshot.ExitCode} after {sw.Elapsed.TotalSeconds:0.0} s");

        Assert.Equal(0, ended.Snapshot.ExitCode); // the CLI's "published": the fires while it ran did not restart it
        var serving = Checkpoint.Load(network.Serving);
        Assert.Equal("sft", serving.Metadata["stage"]);
        var weights = await File.ReadAllBytesAsync(Path.Combine(network.Serving, "model.safetensors"));
        Assert.False(network.WeightsAtStart.SequenceEqual(weights), "the serving weights are still those the network started with");

        // That directory is the one agent-1 serves, and the running agent loads what was published there.
        Assert.True(network.App.ResourceNotifications.TryGetCurrentState("agent-1", out var agent));
        Assert.Contains(agent.Snapshot.EnvironmentVariables, v => v.Name == "Agent__Checkpoint" && v.Value == network.Serving);
        var model = network.App.Services.GetRequiredService<DistributedApplicationModel>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await foreach (var lines in network.App.Services.GetRequiredService<ResourceLoggerService>()
                               .WatchAsync(model.Resources.Single(r => r.Name == "agent-1")).WithCancellation(timeout.Token))
                if (lines.Any(l => l.Content.Contains("Loaded checkpoint", StringComparison.Ordinal) && l.Content.Contains("(generation 2", StringComparison.Ordinal)))
                    return;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
        }
        Assert.Fail("agent-1 did not log loading the published checkpoint (generation 2) within 60 s of the job's end.");
    }

    [Fact]
    public async Task FireWhileTheJobRunsIsSkippedNotARestart()
    {
        var model = network.App.Services.GetRequiredService<DistributedApplicationModel>();
        using var timeout = new CancellationTokenSource(NetworkFixture.StartTimeout);
        await foreach (var lines in network.App.Services.GetRequiredService<ResourceLoggerService>()
                           .WatchAsync(model.Resources.Single(r => r.Name == ScheduledJobFixture.Job)).WithCancellation(timeout.Token))
            if (lines.Any(l => l.Content.Contains("Scheduled run skipped: the job is Running", StringComparison.Ordinal)))
                return;
    }
}
