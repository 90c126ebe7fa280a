using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace DiSRouter.Training.NetworkBench;

/// <summary>
/// The network under test, started through the AppHost exactly as a user starts it (`dotnet run -c Release --project
/// DiSRouter.AppHost`), as a child process with the gateway on a free port, and stopped with SIGTERM. The bench's
/// changes reach the AppHost as one --config file: checkpoints moved by --checkpoints, and the gateway's rate limit
/// lifted, since a benchmark of routing should not measure the limiter's 429s.
/// </summary>
internal sealed partial class BenchNetwork : IAsyncDisposable
{
    // `dotnet run` builds the AppHost first (incremental), then the agents load their checkpoints.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly string _overlayDirectory;

    private BenchNetwork(Process process, string overlayDirectory, Uri gateway, string apiKey, IReadOnlyList<string> agents)
    {
        _process = process;
        _overlayDirectory = overlayDirectory;
        Gateway = gateway;
        ApiKey = apiKey;
        Agents = agents;
    }

    public Uri Gateway { get; }
    public string ApiKey { get; }

    /// <summary>The launched agents in cascade order (the gateway's /v1/models).</summary>
    public IReadOnlyList<string> Agents { get; }

    public static async Task<BenchNetwork> StartAsync(BenchOptions options, string repositoryRoot, TextWriter progress, CancellationToken ct)
    {
        var overlayDirectory = Directory.CreateTempSubdirectory("disrouter-bench-").FullName;
        var overlay = Path.Combine(overlayDirectory, "topology.json");
        await File.WriteAllTextAsync(overlay, Overlay(options, repositoryRoot).ToJsonString(), ct);
        var port = FreePort();
        var apiKey = Environment.GetEnvironmentVariable("DISROUTER_API_KEY") is { Length: > 0 } k ? k : "disrouter-local";

        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = repositoryRoot, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["run", "-c", "Release", "--project", "DiSRouter.AppHost", "--", "--config", overlay, "--gateway-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
            info.ArgumentList.Add(a);
        if (options.Agents is { } agents) { info.ArgumentList.Add("--agents"); info.ArgumentList.Add(agents); }
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is { } line && (options.Verbose || IsMilestone(line))) progress.WriteLine("[apphost] " + line.Trim()); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) progress.WriteLine("[apphost] " + line); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var network = new BenchNetwork(process, overlayDirectory, new Uri($"http://localhost:{port}/"), apiKey, []);
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(StartTimeout);
            while (true)
            {
                if (process.HasExited) throw new InvalidOperationException($"The AppHost exited with code {process.ExitCode} before the gateway was healthy.");
                try
                {
                    using var health = await http.GetAsync(new Uri(network.Gateway, "/health"), deadline.Token);
                    if (health.IsSuccessStatusCode) break;
                }
                catch (HttpRequestException) { }
                catch (TaskCanceledException) when (!deadline.IsCancellationRequested) { }
                await Task.Delay(500, deadline.Token);
            }
            using var models = new HttpRequestMessage(HttpMethod.Get, new Uri(network.Gateway, "/v1/models"));
            models.Headers.Authorization = new("Bearer", apiKey);
            using var listed = await http.SendAsync(models, deadline.Token);
            var ids = JsonNode.Parse(await listed.Content.ReadAsStringAsync(deadline.Token))!["data"]!.AsArray()
                .Select(m => (string)m!["id"]!).Where(id => id.StartsWith("agent-", StringComparison.Ordinal)).ToList();
            return new BenchNetwork(process, overlayDirectory, network.Gateway, apiKey, ids);
        }
        catch
        {
            await network.DisposeAsync();
            throw;
        }
    }

    /// <summary>SIGTERM to the AppHost (as Ctrl+C would), which stops every service; a kill only if it hangs.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var pid in Descendants(_process.Id).Where(p => Comm(p).StartsWith("DiSRouter.AppH", StringComparison.Ordinal)))
            _ = Kill(pid, SIGTERM);
        using (var timeout = new CancellationTokenSource(StopTimeout))
        {
            try { await _process.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); }
        }
        _process.Dispose();
        try { Directory.Delete(_overlayDirectory, recursive: true); } catch (IOException) { }
    }

    private static bool IsMilestone(string line) =>
        line.Contains("Gateway ready", StringComparison.Ordinal) || line.Contains("Dashboard:", StringComparison.Ordinal) || line.StartsWith("note:", StringComparison.Ordinal);

    /// <summary>The bench's --config: the rate limit lifted; the agents (and so no jobs) only when --config or --checkpoints replaces them.</summary>
    internal static JsonObject Overlay(BenchOptions options, string repositoryRoot)
    {
        var settings = JsonNode.Parse(File.ReadAllText(Path.Combine(repositoryRoot, "DiSRouter.AppHost", "appsettings.json")))!["DiSRouter"]!.AsObject();
        if (options.ConfigFile is { } file && JsonNode.Parse(File.ReadAllText(Path.GetFullPath(file)))?["DiSRouter"]?["Agents"] is JsonArray replaced)
            settings["Agents"] = replaced.DeepClone();
        var section = new JsonObject
        {
            ["GatewaySettings"] = new JsonObject { ["RateLimit"] = new JsonObject { ["RequestsPerSecond"] = 100000, ["Burst"] = 100000 } },
        };
        // An overlay that lists agents is another network to the AppHost, without the shipped jobs, so its agents would
        // serve their configured (base pool) checkpoints instead of the jobs' published self-aware ones. List them only
        // when the bench is told to change them.
        if (options.ConfigFile is null && options.CheckpointsDirectory is null) return new JsonObject { ["DiSRouter"] = section };
        section["Agents"] = settings["Agents"]!.DeepClone();
        if (options.CheckpointsDirectory is { } dir)
            foreach (var agent in section["Agents"]!.AsArray().OfType<JsonObject>().Where(a => (string?)a["Backend"] is null or "local"))
                agent["Checkpoint"] = Path.Combine(Path.GetFullPath(dir), Path.GetFileName(((string)agent["Checkpoint"]!).TrimEnd('/')));
        return new JsonObject { ["DiSRouter"] = section };
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Child processes, read from /proc (the AppHost under `dotnet run`).</summary>
    private static IEnumerable<int> Descendants(int pid)
    {
        var children = Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Select(n => int.TryParse(n, out var p) ? p : 0)
            .Where(p => p > 0 && ParentOf(p) == pid).ToList();
        return children.Concat(children.SelectMany(Descendants));
    }

    private static int ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException) { return 0; }
    }

    private static string Comm(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/comm").Trim(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return ""; }
    }

    private const int SIGTERM = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
