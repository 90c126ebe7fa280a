using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace DiSRouter.AppHost.Tests.Infrastructure;

/// <summary>
/// The AppHost as its own process, as a user or a service manager starts it (the built DiSRouter.AppHost.dll, from the
/// repository root, with the dashboard on free ports), for what only a real process shows: what its signals do.
/// </summary>
internal sealed class AppHostProcess : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);

    private Process _process = null!;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly HashSet<int> _seen = [];
    private readonly string _marker = "DISROUTER_TEST_APPHOST=" + Guid.NewGuid().ToString("N");

    private AppHostProcess(Uri gateway) => Gateway = gateway;

    public Uri Gateway { get; }

    public int Pid => _process.Id;

    /// <summary>The last lines it printed (stdout and stderr), for failure messages.</summary>
    public string Output => string.Join("\n", _output.TakeLast(40));

    /// <summary>Starts it with <paramref name="arguments"/> and waits until the gateway answers /health with 200.</summary>
    public static async Task<AppHostProcess> StartAsync(params string[] arguments)
    {
        var port = FreePort.Next();
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = Repository.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])[Path.Combine(AppContext.BaseDirectory, "DiSRouter.AppHost.dll"), .. arguments, "--gateway-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
            info.ArgumentList.Add(a);
        // What launchSettings.json's profile sets, on free ports, so that a network someone else runs is not in the way.
        info.Environment["DOTNET_ENVIRONMENT"] = "Development";
        info.Environment["ASPNETCORE_URLS"] = $"http://localhost:{FreePort.Next()}";
        info.Environment["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] = $"http://localhost:{FreePort.Next()}";
        info.Environment["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://localhost:{FreePort.Next()}";
        info.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";
        info.Environment["ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true";
        info.Environment["DISROUTER_API_KEY"] = NetworkFixture.ApiKey;
        // Each service starts with `dotnet run`, whose build would leave the SDK's build servers up for minutes by design:
        // not the network's processes, and not something this test should leave behind.
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        info.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        info.Environment["UseSharedCompilation"] = "false";
        var sut = new AppHostProcess(new Uri($"http://127.0.0.1:{port}/"));
        var marker = sut._marker.Split('=');
        info.Environment[marker[0]] = marker[1]; // inherited by every process it starts, however detached
        var process = sut._process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => sut.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => sut.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                if (process.HasExited) throw new Xunit.Sdk.XunitException($"The AppHost exited with code {process.ExitCode} before its gateway was healthy:\n{sut.Output}");
                if (deadline.Elapsed > StartTimeout) throw new TimeoutException($"The gateway was not healthy after {StartTimeout}:\n{sut.Output}");
                try
                {
                    using var health = await http.GetAsync(new Uri(sut.Gateway, "/health"));
                    if (health.StatusCode == HttpStatusCode.OK) return sut;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
                await Task.Delay(500);
            }
        }
        catch
        {
            await sut.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Every process the AppHost started, directly or not (the orchestrator detaches itself, so not all are below it):
    /// orchestrator, dashboard, each service's `dotnet run` and the service. Remembered for the clean-up.
    /// </summary>
    public IReadOnlyList<(int Pid, string Name)> Tree()
    {
        var tree = ProcessTree.Descendants(Pid).Union(ProcessTree.WithEnvironment(_marker)).Where(p => p != Pid && ProcessTree.IsAlive(p))
            .Select(p => (p, ProcessTree.Name(p))).ToList();
        lock (_seen) _seen.UnionWith(tree.Select(t => t.Item1));
        return tree;
    }

    public void Signal(int signal) => Assert.True(ProcessTree.Signal(Pid, signal), $"signal {signal} to {Pid}");

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Polls until none of <paramref name="pids"/> runs; the time that took, or null if some still ran after <paramref name="timeout"/>.</summary>
    public static async Task<TimeSpan?> WaitUntilGoneAsync(IEnumerable<int> pids, TimeSpan timeout)
    {
        var list = pids.ToList();
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            if (!list.Any(ProcessTree.IsAlive)) return sw.Elapsed;
            await Task.Delay(100);
        }
        return null;
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        _output.Enqueue(line);
        while (_output.Count > 200) _output.TryDequeue(out _);
    }

    /// <summary>Whatever a test left running (its own kills included) is killed here, so that no test leaves a process behind.</summary>
    public async ValueTask DisposeAsync()
    {
        Tree();
        int[] leftovers;
        lock (_seen) leftovers = [.. _seen.Where(ProcessTree.IsAlive)];
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        foreach (var pid in leftovers) ProcessTree.Kill(pid);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        _process.Dispose();
    }


}
