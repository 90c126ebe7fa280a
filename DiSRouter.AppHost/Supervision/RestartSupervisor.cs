using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DiSRouter.AppHost.Supervision;

/// <summary>
/// Restarts an agent or the gateway whose process ended while nobody stopped it (killed, crashed, out of memory), as the
/// dashboard's Start button would, so that a dead agent rejoins the cascade without a person. A process counts as
/// stopped on purpose when it went through "Stopping" or exited with code 0 (the orchestrator's stop and Ctrl+C end it
/// with SIGTERM, on which the services shut down cleanly), and while the AppHost itself shuts down. Each restart is
/// logged in the resource's console log and the AppHost's, and counted in the resource's "restarts" property (both in
/// the dashboard).
/// </summary>
internal sealed partial class RestartSupervisor(IServiceProvider services, IReadOnlySet<string> supervised, RestartPolicy policy,
    ILogger<RestartSupervisor> logger) : BackgroundService
{
    public const string RestartsProperty = "disrouter.restarts";

    private static readonly string[] Ended = [KnownResourceStates.Finished, KnownResourceStates.Exited];

    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _history = new();
    private readonly ConcurrentDictionary<string, Task> _pending = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var notifications = services.GetRequiredService<ResourceNotificationService>();
        var lifetime = services.GetRequiredService<IHostApplicationLifetime>();
        var last = new Dictionary<string, string?>();
        try
        {
            await foreach (var e in notifications.WatchAsync(stoppingToken))
            {
                if (!supervised.Contains(e.Resource.Name)) continue;
                var state = e.Snapshot.State?.Text;
                last.TryGetValue(e.ResourceId, out var previous);
                last[e.ResourceId] = state;
                if (previous != state) Log.StateChanged(logger, e.ResourceId, previous, state, e.Snapshot.ExitCode);
                if (previous != KnownResourceStates.Running || !Ended.Contains(state) || e.Snapshot.ExitCode == 0) continue;
                if (lifetime.ApplicationStopping.IsCancellationRequested) continue;
                if (_pending.TryGetValue(e.ResourceId, out var running) && !running.IsCompleted) continue;
                _pending[e.ResourceId] = RestartAsync(e, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task RestartAsync(ResourceEvent ended, CancellationToken ct)
    {
        var name = ended.Resource.Name;
        var console = services.GetRequiredService<ResourceLoggerService>().GetLogger(ended.Resource);
        var history = _history.GetOrAdd(ended.ResourceId, _ => new Queue<DateTimeOffset>());
        int restart;
        lock (history)
        {
            while (history.Count > 0 && DateTimeOffset.UtcNow - history.Peek() > policy.Window) history.Dequeue();
            restart = history.Count + 1;
        }
        if (restart > policy.MaxRestarts)
        {
            foreach (var l in (ILogger[])[console, logger]) Log.GivenUp(l, name, ended.Snapshot.ExitCode, policy.MaxRestarts, policy.Window);
            await PublishRestartsAsync(ended.Resource, $"{restart - 1} in {policy.Window.TotalMinutes:0.#} min; given up");
            return;
        }
        var delay = policy.DelayBefore(restart);
        foreach (var l in (ILogger[])[console, logger]) Log.Restarting(l, name, ended.Snapshot.ExitCode, delay.TotalSeconds, restart, policy.MaxRestarts, policy.Window);
        try
        {
            await Task.Delay(delay, ct);
            var notifications = services.GetRequiredService<ResourceNotificationService>();
            // Started by hand meanwhile, or the AppHost is on its way down: nothing to do.
            if (!notifications.TryGetCurrentState(ended.ResourceId, out var now) || !Ended.Contains(now.Snapshot.State?.Text)) return;
            if (services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested) return;
            lock (history) history.Enqueue(DateTimeOffset.UtcNow);
            var result = await services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(ended.ResourceId, KnownResourceCommands.StartCommand, ct);
            if (!result.Success) foreach (var l in (ILogger[])[console, logger]) Log.RestartFailed(l, name, result.Message);
            await PublishRestartsAsync(ended.Resource, restart.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            foreach (var l in (ILogger[])[console, logger]) Log.RestartFailed(l, name, e.Message);
        }
    }

    private Task PublishRestartsAsync(IResource resource, string value) =>
        services.GetRequiredService<ResourceNotificationService>().PublishUpdateAsync(resource, s => s with
        {
            Properties = s.Properties.RemoveAll(p => p.Name == RestartsProperty).Add(new ResourcePropertySnapshot(RestartsProperty, value) { DisplayName = "Restarts" }),
        });

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "{Resource} ended with exit code {ExitCode} without being stopped; starting it again in {DelaySeconds} s (restart {Restart} of at most {MaxRestarts} in {Window})")]
        public static partial void Restarting(ILogger logger, string resource, int? exitCode, double delaySeconds, int restart, int maxRestarts, TimeSpan window);

        [LoggerMessage(Level = LogLevel.Error, Message = "{Resource} ended with exit code {ExitCode} after {MaxRestarts} restarts in {Window}; it is left stopped (start it from the dashboard once the cause is fixed)")]
        public static partial void GivenUp(ILogger logger, string resource, int? exitCode, int maxRestarts, TimeSpan window);

        [LoggerMessage(Level = LogLevel.Debug, Message = "{Resource}: {Previous} → {State} (exit code {ExitCode})")]
        public static partial void StateChanged(ILogger logger, string resource, string? previous, string? state, int? exitCode);

        [LoggerMessage(Level = LogLevel.Error, Message = "{Resource} could not be started again: {Reason}")]
        public static partial void RestartFailed(ILogger logger, string resource, string? reason);
    }
}
