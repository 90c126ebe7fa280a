using Microsoft.Extensions.Configuration;

namespace DiSRouter.Training.Jobs;

/// <summary>
/// What a job needs to know of an agent of the topology ("DiSRouter:Agents" in the AppHost's appsettings.json): that it
/// exists, that its backend is local, and which checkpoint it serves. The AppHost reads the rest.
/// </summary>
internal sealed class TopologyAgent
{
    public const string Section = "DiSRouter";
    public const string AgentsSection = Section + ":Agents";

    public string Name { get; set; } = "";
    public string Backend { get; set; } = "local";
    public string? Checkpoint { get; set; }

    /// <summary>A --config file that lists agents replaces the whole list (layers merge arrays index by index).</summary>
    public static IReadOnlyList<TopologyAgent> Read(IConfiguration configuration, IConfiguration? overlay)
    {
        var section = overlay?.GetSection(AgentsSection) is { } replaced && replaced.Exists() ? replaced : configuration.GetSection(AgentsSection);
        return section.Get<List<TopologyAgent>>() ?? [];
    }
}
