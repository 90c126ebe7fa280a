using DiSRouter.AppHost.Topology;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace DiSRouter.AppHost.Hosting;

/// <summary>
/// Aspire's builder shape for our own launcher: reads the topology (appsettings.json, then --config), applies the
/// command line, and collects the services to run. A bad command line or topology is kept and reported by
/// <see cref="DistributedApplication.RunAsync"/>, so that Program.cs stays a plain list of resources.
/// </summary>
internal sealed class DistributedApplicationBuilder
{
    private readonly List<ServiceResource> _resources = [];

    private DistributedApplicationBuilder(HostApplicationBuilder host, NetworkPlan? plan, string? error, bool help)
    {
        Host = host;
        Plan = plan ?? new NetworkPlan([], "", 0, "", false, TimeSpan.Zero, new Dictionary<string, string>(), []);
        Error = error;
        Help = help;
    }

    /// <summary>The generic host the launcher runs in: add hosted services (scheduled jobs) to its Services.</summary>
    public HostApplicationBuilder Host { get; }

    public NetworkPlan Plan { get; }
    internal string? Error { get; private set; }
    internal bool Help { get; }
    internal IReadOnlyList<ServiceResource> Resources => _resources;

    public static DistributedApplicationBuilder Create(string[] args)
    {
        // The AppHost's own folder is its content root, so its appsettings.json is found from any working directory.
        // The command line is ours to parse (Args = []), not configuration keys.
        var host = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(
            new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory });
        try
        {
            var launch = LaunchArguments.Parse(args);
            if (launch.Help) return new DistributedApplicationBuilder(host, null, null, help: true);
            IConfiguration? overlay = null;
            if (launch.ConfigFile is { } file)
            {
                var full = Path.GetFullPath(file);
                if (!File.Exists(full)) throw new ArgumentException($"--config: the file {full} does not exist.");
                host.Configuration.AddJsonFile(full, optional: false, reloadOnChange: false);
                overlay = new ConfigurationBuilder().AddJsonFile(full, optional: false, reloadOnChange: false).Build();
            }
            var topology = TopologyReader.Read(host.Configuration, overlay);
            var plan = NetworkPlan.Create(topology, launch, ServiceBinaries.RepositoryRoot, Environment.GetEnvironmentVariable);
            return new DistributedApplicationBuilder(host, plan, null, help: false);
        }
        catch (ArgumentException e)
        {
            return new DistributedApplicationBuilder(host, null, e.Message + Environment.NewLine + LaunchArguments.Usage, help: false);
        }
        catch (Exception e) when (e is TopologyException or InvalidOperationException or InvalidDataException)
        {
            return new DistributedApplicationBuilder(host, null, e.Message, help: false);
        }
    }

    /// <summary>Ends the launch before anything starts, with this message and exit code 2 (a bad jobs section, say).</summary>
    internal void Fail(string error) => Error ??= error;

    /// <summary>A service project's dll as its own process on a loopback port (0: a free one).</summary>
    public ServiceResource AddProject(string name, string project, int port = 0)
    {
        var resource = new ServiceResource(name, ServiceBinaries.PathOf(project), port == 0 ? FreePorts.Next() : port, fixedPort: port != 0);
        _resources.Add(resource);
        return resource;
    }

    public DistributedApplication Build() => new(this);
}
