using System.Text.RegularExpressions;

namespace DiSRouter.AppHost.Topology;

/// <summary>An agent to launch: its settings and its successors (the next chosen agent first, then the ones to skip to).</summary>
internal sealed record PlannedAgent(AgentSpec Spec, IReadOnlyList<string> Successors, string? CheckpointPath)
{
    public string Name => Spec.Name;
}

/// <summary>
/// The topology and the command line resolved into what will run. Choosing a subset of agents re-derives every
/// successor list from the cascade order, so any subset forms a working cascade (plug-and-play: nothing retrains).
/// </summary>
internal sealed partial record NetworkPlan(
    IReadOnlyList<PlannedAgent> Agents,
    string EntryAgent,
    int GatewayPort,
    string ApiKey,
    bool ApiKeyFromEnvironment,
    IReadOnlyDictionary<string, string> GatewaySettings,
    IReadOnlyList<string> Notes)
{
    public const string ApiKeyVariable = "DISROUTER_API_KEY";
    public const string GatewayName = "gateway";

    /// <summary>The --config file layered over appsettings.json, if any (the training jobs read the same one).</summary>
    public string? ConfigFile { get; init; }

    /// <summary>The configured training jobs (their names, agents, serving directories and schedules).</summary>
    public IReadOnlyList<Jobs.TrainingJob> Jobs { get; init; } = [];

    /// <summary>How agents and the gateway are restarted when their process dies ("DiSRouter:Restarts").</summary>
    public Supervision.RestartPolicy Restarts { get; init; } = Supervision.RestartPolicy.Default;

    public static NetworkPlan Create(TopologyOptions topology, LaunchArguments args, string repositoryRoot, Func<string, string?> environment)
    {
        var errors = new List<string>();
        var notes = new List<string>();
        if (topology.Agents.Count == 0) errors.Add("The topology has no agents (DiSRouter:Agents in appsettings.json).");

        // 1) every configured agent must be launchable as written
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (agent, i) in topology.Agents.Select((a, i) => (a, i)))
        {
            var where = $"DiSRouter:Agents:{i} ('{agent.Name}')";
            if (!ServiceName().IsMatch(agent.Name ?? ""))
                errors.Add($"{where}: Name must be a kebab-case host name such as 'agent-1'.");
            else if (agent.Name!.Equals(GatewayName, StringComparison.OrdinalIgnoreCase))
                errors.Add($"{where}: '{GatewayName}' is the gateway's name.");
            else if (!seen.Add(agent.Name))
                errors.Add($"{where}: the name '{agent.Name}' is used twice.");
            if (double.IsNaN(agent.Cost) || agent.Cost is < 0 or > 1) errors.Add($"{where}: Cost must lie in [0, 1], got {agent.Cost}.");
            if (agent.CommitTimeoutSeconds is { } commit && !(commit > 0)) errors.Add($"{where}: CommitTimeoutSeconds must be positive, got {commit}.");
            switch (agent.Backend)
            {
                case "local":
                    if (string.IsNullOrWhiteSpace(agent.Checkpoint)) errors.Add($"{where}: a local backend needs Checkpoint (a directory under models/).");
                    break;
                case "hosted":
                    if (!Uri.TryCreate(agent.Endpoint, UriKind.Absolute, out _)) errors.Add($"{where}: a hosted backend needs Endpoint, an absolute URL.");
                    if (string.IsNullOrWhiteSpace(agent.Model)) errors.Add($"{where}: a hosted backend needs Model.");
                    if (string.IsNullOrWhiteSpace(agent.ApiKeyEnv)) errors.Add($"{where}: a hosted backend needs ApiKeyEnv, the variable that holds its key.");
                    break;
                default:
                    errors.Add($"{where}: Backend must be 'local' or 'hosted', got '{agent.Backend}'.");
                    break;
            }
        }

        // 2) the chosen subset, kept in cascade order whatever order --agents lists it in
        var chosen = topology.Agents;
        if (args.Agents is { } names)
        {
            foreach (var name in names.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
                errors.Add($"--agents names '{name.Key}' twice.");
            foreach (var name in names.Where(n => !topology.Agents.Any(a => a.Name.Equals(n, StringComparison.OrdinalIgnoreCase))))
                errors.Add($"--agents names '{name}', which the topology does not have; it has {string.Join(", ", topology.Agents.Select(a => a.Name))}.");
            chosen = topology.Agents.Where(a => names.Contains(a.Name, StringComparer.OrdinalIgnoreCase)).ToList();
        }
        for (var i = 1; i < chosen.Count; i++)
            if (chosen[i].Cost < chosen[i - 1].Cost)
                notes.Add($"{chosen[i].Name} costs less than {chosen[i - 1].Name} before it; the cascade still runs in the configured order.");

        // 3) checkpoints exist before anything starts, so a missing one is named here and not in a child's stack trace
        var planned = new List<PlannedAgent>();
        for (var i = 0; i < chosen.Count; i++)
        {
            var spec = chosen[i];
            string? checkpoint = null;
            if (spec.Backend == "local" && !string.IsNullOrWhiteSpace(spec.Checkpoint))
            {
                checkpoint = Path.GetFullPath(spec.Checkpoint, repositoryRoot);
                if (!Directory.Exists(checkpoint))
                    errors.Add($"{spec.Name}: the checkpoint directory {checkpoint} does not exist (train or pull the pool first, or choose other agents with --agents).");
            }
            planned.Add(new PlannedAgent(spec, chosen.Skip(i + 1).Select(a => a.Name).ToList(), checkpoint));
        }

        // 4) the entry agent
        var entry = chosen.FirstOrDefault()?.Name ?? "";
        if (topology.EntryAgent is { Length: > 0 } configured)
        {
            if (chosen.FirstOrDefault(a => a.Name.Equals(configured, StringComparison.OrdinalIgnoreCase)) is { } found) entry = found.Name;
            else if (topology.Agents.Any(a => a.Name.Equals(configured, StringComparison.OrdinalIgnoreCase)))
                notes.Add($"The entry agent {configured} is not launched; requests enter at {entry}.");
            else errors.Add($"DiSRouter:EntryAgent is '{configured}', which the topology does not have.");
        }

        if (errors.Count > 0) throw new TopologyException(errors);

        var key = environment(ApiKeyVariable);
        var fromEnvironment = !string.IsNullOrEmpty(key);
        return new NetworkPlan(planned, entry, args.GatewayPort ?? topology.GatewayPort,
            fromEnvironment ? key! : TopologyOptions.LocalApiKey, fromEnvironment, topology.GatewaySettings, notes);
    }

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", RegexOptions.IgnoreCase)]
    private static partial Regex ServiceName();
}

/// <summary>Everything wrong with a topology at once, so that one edit fixes it.</summary>
internal sealed class TopologyException(IReadOnlyList<string> errors)
    : Exception("The topology cannot be launched:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  - " + e)))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
