namespace DiSRouter.AppHost.Topology;

/// <summary>The network to launch, section "DiSRouter" of appsettings.json.</summary>
internal sealed class TopologyOptions
{
    public const string SectionName = "DiSRouter";

    /// <summary>The gateway listens here unless --gateway-port says otherwise (0 picks a free port).</summary>
    public const int DefaultGatewayPort = 8080;

    /// <summary>Without DISROUTER_API_KEY the local network accepts this key (stated in the README).</summary>
    public const string LocalApiKey = "disrouter-local";

    /// <summary>The agents in cascade order, cheapest first; successors are derived from this order.</summary>
    public List<AgentSpec> Agents { get; set; } = [];

    /// <summary>The agent requests enter at; when it is not among the chosen agents, the first chosen one.</summary>
    public string? EntryAgent { get; set; }

    public int GatewayPort { get; set; } = DefaultGatewayPort;

    /// <summary>Any other gateway setting, passed as <c>Gateway__{key}</c> (e.g. "RateLimit:Burst": "100").</summary>
    public Dictionary<string, string> GatewaySettings { get; set; } = [];
}
