using System.Globalization;
using DiSRouter.AppHost.Health;
using DiSRouter.AppHost.Jobs;
using DiSRouter.AppHost.Topology;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DiSRouter.AppHost;

internal static class Extensions
{
    /// <summary>The parameter that holds the gateway's API key; azd stores it as a secret.</summary>
    public const string ApiKeyParameter = "api-key";

    /// <summary>
    /// Reads the topology ("DiSRouter" in appsettings.json, then a --config file over it) and applies the command line.
    /// False for --help or a topology that cannot run (the reason printed, exit code 2), so nothing starts.
    /// </summary>
    public static bool TryReadNetworkPlan(this IDistributedApplicationBuilder builder, string[] args, out NetworkPlan plan, out int exitCode)
    {
        plan = null!;
        exitCode = 0;
        try
        {
            var launch = LaunchArguments.Parse(args);
            if (launch.Help)
            {
                Console.WriteLine(LaunchArguments.Usage);
                return false;
            }
            // Started from another folder than its own (the built executable run directly), the AppHost still reads its
            // appsettings.json, under every other source as if it were the content root's.
            var settings = Path.Combine(builder.AppHostDirectory, "appsettings.json");
            if (!File.Exists(Path.Combine(builder.Environment.ContentRootPath, "appsettings.json")) && File.Exists(settings))
            {
                var source = new Microsoft.Extensions.Configuration.Json.JsonConfigurationSource { Path = settings, Optional = true };
                source.ResolveFileProvider();
                builder.Configuration.Sources.Insert(0, source);
            }
            IConfiguration? overlay = null;
            if (launch.ConfigFile is { } file)
            {
                var full = Path.GetFullPath(file);
                if (!File.Exists(full)) throw new ArgumentException($"--config: the file {full} does not exist.");
                builder.Configuration.AddJsonFile(full, optional: false, reloadOnChange: false);
                overlay = new ConfigurationBuilder().AddJsonFile(full, optional: false, reloadOnChange: false).Build();
            }
            var topology = TopologyReader.Read(builder.Configuration, overlay);
            plan = NetworkPlan.Create(topology, launch, RepositoryRoot(builder), Environment.GetEnvironmentVariable) with
            {
                ConfigFile = launch.ConfigFile,
                Jobs = TrainingJob.Read(builder.Configuration, overlay, RepositoryRoot(builder)),
                Restarts = Supervision.RestartPolicy.Read(builder.Configuration),
            };
            return true;
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message + Environment.NewLine + LaunchArguments.Usage);
        }
        catch (Exception e) when (e is TopologyException or InvalidOperationException or InvalidDataException or FormatException)
        {
            Console.Error.WriteLine(e.Message);
        }
        exitCode = 2;
        return false;
    }

    /// <summary>The checkout the AppHost lives in: relative checkpoint and run paths start here.</summary>
    public static string RepositoryRoot(IDistributedApplicationBuilder builder) =>
        Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));

    /// <summary>
    /// The gateway's key as a secret parameter. Run locally, it is DISROUTER_API_KEY or "disrouter-local"; published,
    /// the manifest declares it and azd asks for it (or reads it from the environment) at deploy time.
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddApiKey(this IDistributedApplicationBuilder builder, NetworkPlan plan)
    {
        if (builder.ExecutionContext.IsRunMode) builder.Configuration[$"Parameters:{ApiKeyParameter}"] = plan.ApiKey;
        return builder.AddParameter(ApiKeyParameter, secret: true);
    }

    /// <summary>
    /// One project resource per agent, in cascade order, with its settings as <c>Agent__*</c> variables (the names
    /// DiSRouter.Agents binds): Name, Cost, Backend, Checkpoint or Model/Endpoint/ApiKeyEnv, and Successors__0..n, each
    /// a service name whose address arrives by reference (<c>services__agent-2__http__0</c>).
    /// </summary>
    public static IReadOnlyList<IResourceBuilder<ProjectResource>> AddAgents(this IDistributedApplicationBuilder builder, NetworkPlan plan)
    {
        var root = RepositoryRoot(builder);
        var jobs = plan.Jobs;
        var agents = new Dictionary<string, IResourceBuilder<ProjectResource>>();
        foreach (var planned in plan.Agents)
        {
            var spec = planned.Spec;
            var agent = builder.AddProject<Projects.DiSRouter_Agents>(spec.Name)
                // Not behind the orchestrator's proxy: a stopped agent's port then refuses connections at once, so the
                // agent before it skips it; a proxy left listening for it holds the call until the timeout.
                .WithHttpEndpoint(name: "http", isProxied: false)
                .WithHttpHealthCheck("/health")
                .WithEnvironment("Agent__Name", spec.Name)
                .WithEnvironment("Agent__Cost", spec.Cost.ToString("R", CultureInfo.InvariantCulture))
                .WithEnvironment("Agent__Backend", spec.Backend);
            if (spec.Backend == "local")
                agent.WithEnvironment("Agent__Checkpoint", CheckpointFor(builder, planned, jobs, root));
            else
                agent.WithEnvironment("Agent__Model", spec.Model)
                    .WithEnvironment("Agent__Endpoint", spec.Endpoint)
                    .WithEnvironment("Agent__ApiKeyEnv", spec.ApiKeyEnv)
                    // The hosted model's key: passed from the AppHost's environment, never written in configuration.
                    .WithEnvironment(spec.ApiKeyEnv!, Environment.GetEnvironmentVariable(spec.ApiKeyEnv!) ?? "");
            if (spec.Model is { Length: > 0 } && spec.Backend == "local") agent.WithEnvironment("Agent__Model", spec.Model);
            foreach (var (key, value) in spec.Settings) agent.WithEnvironment("Agent__" + key.Replace(":", "__"), value);
            agents[spec.Name] = agent;
        }
        foreach (var planned in plan.Agents)
        {
            // The next agent first, then the ones to skip to when it is down: names, resolved by service discovery.
            var agent = agents[planned.Name];
            for (var i = 0; i < planned.Successors.Count; i++)
            {
                var successor = plan.Agents.First(a => a.Name == planned.Successors[i]);
                agent.WithEnvironment($"Agent__Successors__{i}", successor.Name).WithReference(agents[successor.Name])
                    // how long this agent waits for that successor to commit: the successor's own figure
                    .WithEnvironment($"Agent__SuccessorTimeouts__{successor.Name}", successor.Spec.CommitTimeout.ToString("R", CultureInfo.InvariantCulture));
            }
        }
        return [.. agents.Values];
    }

    /// <summary>The gateway: its key, the entry agent and the agents it lists, on the chosen port, started once every agent is healthy.</summary>
    public static IResourceBuilder<ProjectResource> AddGateway(this IDistributedApplicationBuilder builder, NetworkPlan plan,
        IReadOnlyList<IResourceBuilder<ProjectResource>> agents, IResourceBuilder<ParameterResource> apiKey)
    {
        var gateway = builder.AddProject<Projects.DiSRouter_Gateway>(NetworkPlan.GatewayName)
            // A fixed local port (--gateway-port, default 8080); published, the container platform's ingress decides.
            .WithHttpEndpoint(port: plan.GatewayPort == 0 || builder.ExecutionContext.IsPublishMode ? null : plan.GatewayPort, name: "http")
            .WithExternalHttpEndpoints()
            // Healthy, Degraded (agents down) or Unhealthy as the gateway's /health reports the cascade, not its status code alone
            .WithGatewayHealthCheck("/health")
            .WithEnvironment(NetworkPlan.ApiKeyVariable, apiKey)
            .WithEnvironment("Gateway__EntryAgent", plan.EntryAgent);
        for (var i = 0; i < plan.Agents.Count; i++) gateway.WithEnvironment($"Gateway__Agents__{i}", plan.Agents[i].Name);
        // The cost ledger's books (journal and snapshot) outlive the gateway's process: under runs/, one folder per
        // gateway port (one gateway process per folder); a free port (--gateway-port 0, a throwaway network) gets a fresh
        // temporary folder. Published, the container's own data/ledger, which a volume should back. Ledger:Directory in
        // GatewaySettings overrides it.
        if (builder.ExecutionContext.IsRunMode)
            gateway.WithEnvironment("Gateway__Ledger__Directory", plan.GatewayPort == 0
                ? Path.Combine(Path.GetTempPath(), "disrouter-ledger-" + Guid.NewGuid().ToString("N")[..12])
                : Path.Combine(RepositoryRoot(builder), "runs", "ledger", "port-" + plan.GatewayPort.ToString(CultureInfo.InvariantCulture)));
        foreach (var (key, value) in plan.GatewaySettings) gateway.WithEnvironment("Gateway__" + key.Replace(":", "__"), value);
        // Self-Route's router, unless the settings name one: published, relative to the container's working directory
        // like the agents' checkpoints (docs/deploy.md).
        if (!plan.GatewaySettings.Keys.Any(k => k.Equals("SelfRoute:RouterFile", StringComparison.OrdinalIgnoreCase))
            && SelfRouteRouterFile(plan) is { } routerFile)
            gateway.WithEnvironment("Gateway__SelfRoute__RouterFile", builder.ExecutionContext.IsPublishMode
                ? Path.GetRelativePath(RepositoryRoot(builder), routerFile).Replace('\\', '/')
                : routerFile);
        foreach (var agent in agents) gateway.WithReference(agent).WaitFor(agent);

        if (builder.ExecutionContext.IsRunMode)
        {
            builder.Eventing.Subscribe<ResourceReadyEvent>(gateway.Resource, (e, _) =>
            {
                var url = gateway.GetEndpoint("http").Url;
                e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("DiSRouter.AppHost").LogInformation(
                    "Gateway ready at {Url}/v1 (key {KeySource}); agents {Agents}", url,
                    plan.ApiKeyFromEnvironment ? "from DISROUTER_API_KEY" : $"\"{plan.ApiKey}\"", string.Join(" → ", plan.Agents.Select(a => a.Name)));
                return Task.CompletedTask;
            });
            foreach (var note in plan.Notes) Console.WriteLine("note: " + note);
        }
        return gateway;
    }

    /// <summary>
    /// Run locally, an agent serves its job's published checkpoint once there is one (a later publish reloads in place);
    /// until then its configured checkpoint. Published (azd), paths are relative to the container's working directory,
    /// where the models are mounted (docs/deploy.md).
    /// </summary>
    private static string CheckpointFor(IDistributedApplicationBuilder builder, PlannedAgent agent, IReadOnlyList<TrainingJob> jobs, string root)
    {
        var path = ServedDirectory(agent, jobs);
        var job = jobs.FirstOrDefault(j => j.Agent.Equals(agent.Name, StringComparison.OrdinalIgnoreCase));
        if (job is not null && !job.HasPublished && builder.ExecutionContext.IsRunMode)
            Console.WriteLine($"note: {agent.Name} serves its configured checkpoint until job {job.Name} first publishes {job.Publish}; restart the network then to serve it.");
        return builder.ExecutionContext.IsPublishMode ? Path.GetRelativePath(root, path).Replace('\\', '/') : path;
    }

    /// <summary>The folder a local agent serves: its job's published checkpoint once there is one, else its configured one.</summary>
    private static string ServedDirectory(PlannedAgent agent, IReadOnlyList<TrainingJob> jobs) =>
        jobs.FirstOrDefault(j => j.Agent.Equals(agent.Name, StringComparison.OrdinalIgnoreCase)) is { HasPublished: true } job ? job.Publish : agent.CheckpointPath!;

    /// <summary>
    /// The Self-Route router file beside the served agents (<c>fit self-route</c> writes self-route.json into the folder
    /// that holds them: models/nano-selfaware for the nano pool), or null: when an agent is hosted, the agents serve from
    /// different folders, or theirs holds no router. WHY not always: a router fitted for other weights would only make the
    /// gateway's /health Degraded (stale) for a topology it was never meant for; without one the mode is simply off.
    /// </summary>
    private static string? SelfRouteRouterFile(NetworkPlan plan)
    {
        if (plan.Agents.Count == 0 || plan.Agents.Any(a => a.Spec.Backend != "local" || a.CheckpointPath is null)) return null;
        var folders = plan.Agents.Select(a => Path.GetDirectoryName(Path.GetFullPath(ServedDirectory(a, plan.Jobs)))).Distinct().ToList();
        if (folders is not [{ } folder]) return null;
        var file = Path.Combine(folder, "self-route.json");
        return File.Exists(file) ? file : null;
    }
}
