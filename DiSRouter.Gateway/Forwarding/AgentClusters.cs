using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;

namespace DiSRouter.Gateway.Forwarding;

/// <summary>
/// YARP's view of the network: one route (POST /v1/chat/completions, behind the gateway's key and rate limit) and one
/// cluster per agent a request may enter at. A cluster's one destination is the agent's logical address
/// (<c>http://agent-1</c>); service discovery turns it into one destination per replica
/// (<c>services:agent-1:http:0</c>, <c>:1</c>, …), which are balanced round robin and probed on /health.
/// </summary>
internal static class AgentClusters
{
    public const string ChatRouteId = "chat-completions";
    public const string ChatPath = "/v1/chat/completions";

    public static IReadOnlyList<RouteConfig> Routes(GatewayOptions o) =>
    [
        new RouteConfig
        {
            RouteId = ChatRouteId,
            ClusterId = o.EntryAgent,
            Match = new RouteMatch { Path = ChatPath, Methods = ["POST"] },
            AuthorizationPolicy = "default",
            RateLimiterPolicy = Auth.AuthExtensions.RateLimitPolicy,
        },
    ];

    public static IReadOnlyList<ClusterConfig> Clusters(GatewayOptions o) =>
        o.Agents.Append(o.EntryAgent).Distinct(StringComparer.OrdinalIgnoreCase).Select(agent => Cluster(agent, o)).ToList();

    private static ClusterConfig Cluster(string agent, GatewayOptions o) => new()
    {
        ClusterId = agent,
        LoadBalancingPolicy = LoadBalancingPolicies.RoundRobin,
        Destinations = new Dictionary<string, DestinationConfig> { [agent] = new() { Address = $"http://{agent}" } },
        HttpRequest = new Yarp.ReverseProxy.Forwarder.ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromSeconds(o.AgentTimeoutSeconds) },
        HealthCheck = new HealthCheckConfig
        {
            // When every replica is out, refuse at once (503 with Retry-After) rather than YARP's default "panic" of
            // trying them all anyway: the client learns the agent is down without waiting on a dead connection.
            AvailableDestinationsPolicy = HealthCheckConstants.AvailableDestinations.HealthyAndUnknown,
            // Active: a replica that fails its probe is out until a probe passes, so a dead one stops getting requests.
            Active = new ActiveHealthCheckConfig
            {
                Enabled = true,
                Interval = TimeSpan.FromSeconds(o.Health.ProbeIntervalSeconds),
                Timeout = TimeSpan.FromSeconds(o.Health.ProbeTimeoutSeconds),
                Policy = HealthCheckConstants.ActivePolicy.ConsecutiveFailures,
                Path = "/health",
            },
            // Passive: requests that fail in transport count against a replica between probes.
            Passive = new PassiveHealthCheckConfig
            {
                Enabled = true,
                Policy = HealthCheckConstants.PassivePolicy.TransportFailureRate,
                ReactivationPeriod = TimeSpan.FromSeconds(o.Health.LeftOutSeconds),
            },
        },
        Metadata = new Dictionary<string, string> { [ConsecutiveFailuresHealthPolicyOptions.ThresholdMetadataName] = "1" },
    };
}
