namespace DiSRouter.Gateway;

/// <summary>The gateway's settings, section "Gateway" (environment: <c>Gateway__EntryAgent</c>, <c>Gateway__Agents__0</c>, …).</summary>
internal sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    /// <summary>The environment variable whose value is accepted as one more API key (the AppHost sets it).</summary>
    public const string ApiKeyVariable = "DISROUTER_API_KEY";

    /// <summary>The service name of the first agent of the cascade, resolved through <c>services:{name}:http:0</c>.</summary>
    public string EntryAgent { get; set; } = "agent-1";

    /// <summary>The agents in cascade order, listed by /v1/models; a request naming one enters the cascade there.</summary>
    public List<string> Agents { get; set; } = [];

    /// <summary>Bearer keys accepted. Required: the gateway refuses to start with none.</summary>
    public List<string> ApiKeys { get; set; } = [];

    /// <summary>Larger bodies get 413 before they are read whole. 1 MiB holds a long chat many times over.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1 << 20;

    public RateLimitSettings RateLimit { get; set; } = new();

    /// <summary>
    /// How long an agent may stay silent (no byte of its response) before the request fails with 504. A cascade's
    /// whole answer can take minutes on a CPU; a stream keeps it alive with every token.
    /// </summary>
    public double AgentTimeoutSeconds { get; set; } = 300;

    public AgentHealthSettings Health { get; set; } = new();
}

/// <summary>How replicas of an agent are judged (YARP's active probes of /health and passive watch of failed requests).</summary>
internal sealed class AgentHealthSettings
{
    /// <summary>How often each replica's /health is probed; one failed probe takes it out until a probe passes.</summary>
    public double ProbeIntervalSeconds { get; set; } = 10;

    public double ProbeTimeoutSeconds { get; set; } = 5;

    /// <summary>Requests a replica must have had before its failure rate (connection errors, timeouts) is judged.</summary>
    public int MinimumRequests { get; set; } = 5;

    /// <summary>A replica whose failure rate passes 30 % is left out this long, then tried again.</summary>
    public double LeftOutSeconds { get; set; } = 30;
}

/// <summary>A token bucket per API key: bursts up to <see cref="Burst"/>, then <see cref="RequestsPerSecond"/> on average.</summary>
internal sealed class RateLimitSettings
{
    public double RequestsPerSecond { get; set; } = 20;
    public int Burst { get; set; } = 40;
}
