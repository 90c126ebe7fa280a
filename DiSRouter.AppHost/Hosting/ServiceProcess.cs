using System.Diagnostics;

namespace DiSRouter.AppHost.Hosting;

/// <summary>
/// One running service: started with its environment, its output lines prefixed with its name, health-checked, and
/// stopped with SIGTERM then, after a grace period, a kill of its whole process tree.
/// </summary>
internal sealed class ServiceProcess : IAsyncDisposable
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);
    private const int TailLines = 15;

    private readonly Process _process;
    private readonly Queue<string> _tail = new();

    private ServiceProcess(ServiceResource resource, Process process)
    {
        Resource = resource;
        _process = process;
    }

    public ServiceResource Resource { get; }
    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;
    public Task Exited => _process.WaitForExitAsync();

    public static ServiceProcess Start(ServiceResource resource, IReadOnlyDictionary<string, string> sharedEnvironment)
    {
        var info = new ProcessStartInfo(DotnetHost.Path)
        {
            ArgumentList = { resource.BinaryPath },
            // The service's own folder: its appsettings.json is found there as its content root.
            WorkingDirectory = Path.GetDirectoryName(resource.BinaryPath)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in sharedEnvironment) info.Environment[key] = value;
        foreach (var (key, value) in resource.Environment) info.Environment[key] = value;

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var service = new ServiceProcess(resource, process);
        process.OutputDataReceived += (_, e) => service.Echo(e.Data);
        process.ErrorDataReceived += (_, e) => service.Echo(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    /// <summary>The last lines the service wrote, for an error report when it dies or never becomes healthy.</summary>
    public IReadOnlyList<string> Tail()
    {
        lock (_tail) return _tail.ToList();
    }

    /// <summary>Polls GET /health until it answers 200; false if the process exits or the time runs out.</summary>
    public async Task<bool> WaitHealthyAsync(HttpClient http, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        var health = new Uri(Resource.Url, "/health");
        while (!deadline.IsCancellationRequested && !HasExited)
        {
            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
                attempt.CancelAfter(TimeSpan.FromSeconds(2));
                using var response = await http.GetAsync(health, attempt.Token);
                if (response.IsSuccessStatusCode) return true;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // one slow probe; try again until the deadline
            }
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
            }
        }
        ct.ThrowIfCancellationRequested();
        // The exit can be seen before the output readers have drained the pipes; waiting for the exit waits for their
        // end of stream too, so the tail that explains the failure is complete when the caller reads it.
        if (HasExited) await _process.WaitForExitAsync(ct);
        return false;
    }

    public async Task StopAsync()
    {
        try
        {
            if (_process.HasExited) return;
            if (PosixSignals.Terminate(_process.Id))
            {
                using var grace = new CancellationTokenSource(StopGrace);
                try
                {
                    await _process.WaitForExitAsync(grace.Token);
                    return;
                }
                catch (OperationCanceledException)
                {
                    ConsoleOutput.Info($"{Resource.Name} did not stop within {StopGrace.TotalSeconds:0} s of SIGTERM: killing it");
                }
            }
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
            // never started or already reaped
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    private void Echo(string? line)
    {
        if (line is null) return;
        ConsoleOutput.Line(Resource.Name, line);
        // Stack frames are shown live but left out of the error report, which should end with the message itself.
        if (line.TrimStart().StartsWith("at ", StringComparison.Ordinal) && line.StartsWith(' ')) return;
        lock (_tail)
        {
            _tail.Enqueue(line);
            if (_tail.Count > TailLines) _tail.Dequeue();
        }
    }
}
