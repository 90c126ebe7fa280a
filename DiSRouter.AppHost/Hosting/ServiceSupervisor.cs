using DiSRouter.AppHost.Topology;
using Microsoft.Extensions.Hosting;

namespace DiSRouter.AppHost.Hosting;

/// <summary>
/// Starts the services in waves (a service starts once everything it waits for answers /health), waits for each
/// one's health in order, prints the URLs and the ready line, reports any service that dies, and stops every child
/// when the host stops (Ctrl+C, SIGTERM) or the launch fails. Children also watch our pid (DISROUTER_PARENT_PID), so
/// none outlives an AppHost that was killed outright.
/// </summary>
internal sealed class ServiceSupervisor(
    IReadOnlyList<ServiceResource> resources,
    NetworkPlan plan,
    LaunchOutcome outcome,
    IHostApplicationLifetime lifetime) : BackgroundService
{
    /// <summary>Read by ServiceDefaults' ParentProcessWatcher in every service.</summary>
    public const string ParentPidVariable = "DISROUTER_PARENT_PID";

    public const string ReadyPrefix = "DiSRouter ready: gateway ";

    private readonly List<ServiceProcess> _running = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var http = new HttpClient();
        try
        {
            foreach (var note in plan.Notes) ConsoleOutput.Info("note: " + note);
            await StartAllAsync(http, stoppingToken);
            PrintSummary();
            await WatchAsync(stoppingToken);
        }
        catch (LaunchException e)
        {
            ConsoleOutput.Error(e.Message);
            outcome.ExitCode = 1;
            lifetime.StopApplication();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await StopAllAsync();
        }
    }

    private async Task StartAllAsync(HttpClient http, CancellationToken ct)
    {
        var healthy = new HashSet<ServiceResource>();
        var pending = resources.ToList();
        while (pending.Count > 0)
        {
            var wave = pending.Where(r => r.Dependencies.All(healthy.Contains)).ToList();
            if (wave.Count == 0) throw new LaunchException($"These services wait for each other in a circle: {string.Join(", ", pending.Select(r => r.Name))}.");

            var started = new List<ServiceProcess>();
            foreach (var resource in wave)
            {
                if (resource.FixedPort && !FreePorts.IsFree(resource.Port))
                    throw new LaunchException($"{resource.Name}: port {resource.Port} on 127.0.0.1 is in use; choose another with --gateway-port N.");
                var process = ServiceProcess.Start(resource, SharedEnvironment(resource));
                _running.Add(process);
                started.Add(process);
                ConsoleOutput.Info($"{resource.Name} starting at {resource.Url} (pid {process.Id})");
            }
            foreach (var process in started)
            {
                if (!await process.WaitHealthyAsync(http, plan.HealthTimeout, ct))
                    throw new LaunchException(NotHealthy(process));
                ConsoleOutput.Info($"{process.Resource.Name} healthy");
                healthy.Add(process.Resource);
            }
            pending.RemoveAll(wave.Contains);
        }
    }

    private IReadOnlyDictionary<string, string> SharedEnvironment(ServiceResource resource)
    {
        var env = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = resource.Url.ToString().TrimEnd('/'),
            ["OTEL_SERVICE_NAME"] = resource.Name,
            [ParentPidVariable] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // One line per log entry, so that every line carries the service's prefix.
            ["Logging__Console__FormatterName"] = "simple",
            ["Logging__Console__FormatterOptions__SingleLine"] = "true",
            ["DOTNET_NOLOGO"] = "1",
        };
        if (Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT") is { Length: > 0 } otlp) env["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp;
        return env;
    }

    private void PrintSummary()
    {
        foreach (var process in _running)
            ConsoleOutput.Info($"{process.Resource.Name,-10} {process.Resource.Url.ToString().TrimEnd('/'),-24} pid {process.Id,-7} {process.Resource.Description}");
        ConsoleOutput.Info(plan.ApiKeyFromEnvironment
            ? "API key: the value of DISROUTER_API_KEY"
            : $"API key: {TopologyOptions.LocalApiKey} (the local default; set DISROUTER_API_KEY to change it)");
        var gateway = resources.FirstOrDefault(r => r.StopsNetworkOnExit) ?? resources[^1];
        ConsoleOutput.Plain(ReadyPrefix + gateway.Url.ToString().TrimEnd('/'));
    }

    /// <summary>
    /// An agent that dies is reported and left down: the cascade skips it, as it would skip a crashed peer anywhere.
    /// The gateway's death ends the run, since nothing can reach the network without it.
    /// </summary>
    private async Task WatchAsync(CancellationToken ct)
    {
        var watching = _running.ToList();
        var stopped = Task.Delay(Timeout.Infinite, ct);
        while (watching.Count > 0)
        {
            var exited = await Task.WhenAny(watching.Select(p => p.Exited).Append(stopped));
            if (exited == stopped) return;
            foreach (var process in watching.Where(p => p.HasExited).ToList())
            {
                watching.Remove(process);
                ConsoleOutput.Info($"{process.Resource.Name} exited with code {process.ExitCode}");
                if (process.Resource.StopsNetworkOnExit)
                    throw new LaunchException($"{process.Resource.Name} is gone; stopping the network.");
            }
        }
    }

    private async Task StopAllAsync()
    {
        if (_running.Count == 0) return;
        // The front door first, so no new request enters a network that is going away.
        var order = _running.OrderByDescending(p => p.Resource.StopsNetworkOnExit).ToList();
        var first = order.Where(p => p.Resource.StopsNetworkOnExit).ToList();
        await Task.WhenAll(first.Select(p => p.StopAsync()));
        await Task.WhenAll(order.Except(first).Select(p => p.StopAsync()));
        foreach (var process in _running) await process.DisposeAsync();
        ConsoleOutput.Info("stopped every service");
        _running.Clear();
    }

    private string NotHealthy(ServiceProcess process)
    {
        var what = process.HasExited
            ? $"{process.Resource.Name} exited with code {process.ExitCode} before it was healthy"
            : $"{process.Resource.Name} did not answer GET {process.Resource.Url}health within {plan.HealthTimeout.TotalSeconds:0} s (DiSRouter:HealthTimeout)";
        var tail = process.Tail();
        return tail.Count == 0 ? what + " (it wrote nothing)." : what + "; its last lines:" + Environment.NewLine + string.Join(Environment.NewLine, tail.Select(l => "    " + l));
    }
}

/// <summary>A launch that cannot go on; its message is the whole story for the user.</summary>
internal sealed class LaunchException(string message) : Exception(message);
