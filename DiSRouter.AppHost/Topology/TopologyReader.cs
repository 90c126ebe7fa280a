using Microsoft.Extensions.Configuration;

namespace DiSRouter.AppHost.Topology;

internal static class TopologyReader
{
    /// <summary>
    /// Binds the "DiSRouter" section. Free-form settings ("Settings", "GatewaySettings") are read as flat paths
    /// ("RateLimit:Burst"), since binding nested JSON into a string dictionary would drop it silently.
    /// </summary>
    /// <remarks>
    /// Configuration layers merge arrays index by index, so a shorter agent list in a --config file would keep the
    /// tail of appsettings.json's list. A file that names agents therefore replaces the whole list.
    /// </remarks>
    public static TopologyOptions Read(IConfiguration configuration, IConfiguration? replacingAgents = null)
    {
        var section = configuration.GetSection(TopologyOptions.SectionName);
        var topology = section.Get<TopologyOptions>() ?? new TopologyOptions();
        topology.GatewaySettings = Flatten(section.GetSection(nameof(TopologyOptions.GatewaySettings)));
        var agentSection = section.GetSection(nameof(TopologyOptions.Agents));
        if (replacingAgents?.GetSection(TopologyOptions.SectionName).GetSection(nameof(TopologyOptions.Agents)) is { } replaced && replaced.Exists())
        {
            agentSection = replaced;
            topology.Agents = replaced.Get<List<AgentSpec>>() ?? [];
        }
        var agents = agentSection.GetChildren().ToList();
        for (var i = 0; i < topology.Agents.Count && i < agents.Count; i++)
            topology.Agents[i].Settings = Flatten(agents[i].GetSection(nameof(AgentSpec.Settings)));
        return topology;
    }

    private static Dictionary<string, string> Flatten(IConfigurationSection section) =>
        section.AsEnumerable(makePathsRelative: true)
            .Where(kv => kv.Value is not null)
            .ToDictionary(kv => kv.Key, kv => kv.Value!);
}
