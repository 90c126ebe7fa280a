using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace DiSRouter.Gateway.Tests.Network;

/// <summary>
/// The committed self-aware nano agents (models/nano-selfaware/nano-1..5) as five real agent processes on 127.0.0.1,
/// wired as the AppHost wires them (services:agent-k:http:0, successors in cascade order, costs of the topology),
/// with a real gateway in front (<see cref="Infrastructure.GatewayFactory"/>). The agents' build output comes from
/// the project reference in the test project; processes are stopped by their own ids when the fixture ends.
/// </summary>
public sealed class NanoNetwork : IAsyncLifetime
{
    private static readonly double[] Costs = [0.1, 0.2, 0.4, 0.7, 0.9];
    private readonly Dictionary<string, Process> _agents = [];

    /// <summary>The key that reads the gateway's ledger (GET /admin/ledger).</summary>
    public const string AdminKey = "nano-admin-key";

    public Infrastructure.GatewayFactory Gateway { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;
    public Dictionary<string, Uri> Urls { get; } = [];

    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DiSRouter.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("DiSRouter.sln not found above " + AppContext.BaseDirectory);
        }
    }

    public async Task InitializeAsync()
    {
        for (var i = 1; i <= 5; i++) Urls[$"agent-{i}"] = new Uri($"http://127.0.0.1:{FreePort()}");
        for (var i = 1; i <= 5; i++)
            _agents[$"agent-{i}"] = StartAgent(i, Urls[$"agent-{i}"], [.. Enumerable.Range(i + 1, 5 - i).Select(j => $"agent-{j}")], Urls);
        foreach (var (name, url) in Urls) await WaitHealthyAsync(_agents[name], name, url);

        Gateway = new Infrastructure.GatewayFactory(Urls, new()
        {
            ["Gateway:Health:ProbeIntervalSeconds"] = "1",
            ["Gateway:AdminKeys:0"] = AdminKey,
            // The committed Self-Route router: it must match the committed agents' weights, or its alias answers 503.
            ["Gateway:SelfRoute:RouterFile"] = Path.Combine(RepositoryRoot, "models", "nano-selfaware", "self-route.json"),
        });
        Client = Gateway.CreateAuthorizedClient();
        Client.Timeout = TimeSpan.FromMinutes(2);
    }

    /// <summary>
    /// Starts committed agent k (models/nano-selfaware/nano-k, the topology's cost) as its own process on <paramref name="url"/>,
    /// its successors service names in <paramref name="discovery"/> or absolute URLs. The caller stops it by its id.
    /// </summary>
    public static Process StartAgent(int k, Uri url, IReadOnlyList<string> successors, IReadOnlyDictionary<string, Uri> discovery)
    {
        var root = RepositoryRoot;
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0
        var dll = Path.Combine(root, "DiSRouter.Agents", "bin", configuration, "net10.0", "DiSRouter.Agents.dll");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        start.Environment["ASPNETCORE_URLS"] = url.ToString().TrimEnd('/');
        start.Environment["Agent__Name"] = $"agent-{k}";
        start.Environment["Agent__Cost"] = Costs[k - 1].ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Agent__Checkpoint"] = Path.Combine(root, "models", "nano-selfaware", $"nano-{k}");
        start.Environment["Agent__ReloadPollSeconds"] = "0";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = null;
        for (var j = 0; j < successors.Count; j++) start.Environment[$"Agent__Successors__{j}"] = successors[j];
        foreach (var (name, address) in discovery) start.Environment[$"services__{name}__http__0"] = address.ToString().TrimEnd('/');
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Waits (at most 3 minutes) until the agent's /health answers 200.</summary>
    public static async Task WaitHealthyAsync(Process agent, string name, Uri url)
    {
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (agent.HasExited) throw new InvalidOperationException($"{name} exited with {agent.ExitCode} at start");
            try
            {
                using var health = await probe.GetAsync(new Uri(url, "/health"));
                if (health.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            if (clock.Elapsed > TimeSpan.FromMinutes(3)) throw new TimeoutException($"{name} was not healthy within 3 minutes");
            await Task.Delay(250);
        }
    }

    /// <summary>Ends an agent's process at once, as SIGKILL does: no shutdown, connections cut.</summary>
    public void Kill(string agent)
    {
        _agents[agent].Kill(entireProcessTree: true);
        _agents[agent].WaitForExit(10_000);
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (Gateway is not null) await Gateway.DisposeAsync();
        foreach (var process in _agents.Values)
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
            process.Dispose();
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
