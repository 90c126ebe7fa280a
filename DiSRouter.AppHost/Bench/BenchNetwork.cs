using System.Text.Json;
using System.Text.Json.Nodes;
using DiSRouter.AppHost.Hosting;
using DiSRouter.AppHost.Jobs;
using DiSRouter.AppHost.Topology;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DiSRouter.AppHost.Bench;

/// <summary>
/// The network under test, launched by the AppHost's own launcher (same topology, same supervisor, free ports) and
/// stopped with it. The bench's changes reach the launcher as one --config file: checkpoints moved by --checkpoints,
/// and the gateway's rate limit lifted, since a benchmark of routing should not measure the limiter's 429s.
/// </summary>
internal sealed class BenchNetwork : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private readonly IHost _host;
    private readonly string _overlayDirectory;

    private BenchNetwork(IHost host, string overlayDirectory, NetworkPlan plan, IHostApplicationLifetime lifetime, LaunchOutcome outcome)
    {
        _host = host;
        _overlayDirectory = overlayDirectory;
        Plan = plan;
        Lifetime = lifetime;
        Outcome = outcome;
    }

    public NetworkPlan Plan { get; }
    public Uri Gateway { get; private set; } = null!;

    /// <summary>ApplicationStopping fires on Ctrl+C, SIGTERM, or when the supervisor gives up (the gateway died).</summary>
    public IHostApplicationLifetime Lifetime { get; }

    public LaunchOutcome Outcome { get; }

    /// <summary>The launcher's plan for these options, or the launcher's own error text (a bad topology: exit code 2).</summary>
    public static (BenchNetwork? Network, string? Error) Create(BenchOptions options)
    {
        var overlayDirectory = Directory.CreateTempSubdirectory("disrouter-bench-").FullName;
        try
        {
            var overlay = Path.Combine(overlayDirectory, "topology.json");
            File.WriteAllText(overlay, OverlayFor(options).ToJsonString());
            List<string> args = ["--config", overlay, "--gateway-port", "0"];
            if (options.Agents is { } agents) args.AddRange(["--agents", agents]);

            var builder = DistributedApplicationBuilder.Create([.. args]);
            if (builder.Error is { } error)
            {
                Directory.Delete(overlayDirectory, recursive: true);
                return (null, error);
            }
            var plan = builder.Plan;
            builder.AddNetwork(TrainingJobs.None); // the checkpoints are the ones given, not a job's

            // The launcher's own host, started here without waiting for shutdown.
            var outcome = new LaunchOutcome();
            var host = DistributedApplication.BuildHost(builder, outcome);
            return (new BenchNetwork(host, overlayDirectory, plan, host.Services.GetRequiredService<IHostApplicationLifetime>(), outcome), null);
        }
        catch (Exception e) when (e is IOException or JsonException or InvalidDataException or FormatException or InvalidOperationException)
        {
            Directory.Delete(overlayDirectory, recursive: true);
            return (null, e.Message);
        }
    }

    /// <summary>Starts every service; false when the launch failed (the supervisor has printed why) or was interrupted.</summary>
    public async Task<bool> StartAsync(Task<Uri> ready)
    {
        await _host.StartAsync();
        var stopping = Task.Delay(Timeout.Infinite, Lifetime.ApplicationStopping);
        if (await Task.WhenAny(ready, stopping) != ready) return false;
        Gateway = await ready;
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        // The supervisor stops the gateway first, then the agents, and waits for each.
        using (var timeout = new CancellationTokenSource(StopTimeout))
            await _host.StopAsync(timeout.Token);
        _host.Dispose();
        try { Directory.Delete(_overlayDirectory, recursive: true); } catch (IOException) { }
    }

    /// <summary>
    /// The whole topology (appsettings.json, then the user's --config) with the bench's changes, written so that it
    /// replaces the agent list: the launcher then reads exactly this.
    /// </summary>
    private static JsonObject OverlayFor(BenchOptions options)
    {
        var files = new ConfigurationBuilder().AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true, reloadOnChange: false);
        IConfiguration? user = null;
        if (options.ConfigFile is { } file)
        {
            var full = Path.GetFullPath(file);
            if (!File.Exists(full)) throw new IOException($"--config: the file {full} does not exist.");
            files.AddJsonFile(full, optional: false, reloadOnChange: false);
            user = new ConfigurationBuilder().AddJsonFile(full, optional: false, reloadOnChange: false).Build();
        }
        var topology = TopologyReader.Read(files.Build(), user);

        if (options.CheckpointsDirectory is { } dir)
        {
            var root = Path.GetFullPath(dir);
            foreach (var agent in topology.Agents.Where(a => a.Backend == "local" && !string.IsNullOrWhiteSpace(a.Checkpoint)))
                agent.Checkpoint = Path.Combine(root, Path.GetFileName(agent.Checkpoint!.TrimEnd('/', '\\')));
        }
        var gateway = new Dictionary<string, string>(topology.GatewaySettings)
        {
            ["RateLimit:RequestsPerSecond"] = "100000",
            ["RateLimit:Burst"] = "100000",
        };

        var section = new JsonObject
        {
            ["GatewayPort"] = 0,
            ["HealthTimeout"] = topology.HealthTimeout.ToString("c"),
            ["GatewaySettings"] = JsonSerializer.SerializeToNode(gateway),
            ["Agents"] = JsonSerializer.SerializeToNode(topology.Agents, new JsonSerializerOptions
            {
                DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
            }),
        };
        if (topology.EntryAgent is { Length: > 0 } entry) section["EntryAgent"] = entry;
        return new JsonObject { [TopologyOptions.SectionName] = section };
    }
}
