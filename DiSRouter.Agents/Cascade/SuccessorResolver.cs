namespace DiSRouter.Agents.Cascade;

/// <summary>
/// Turns a successor entry into the base URI to call. A service name ("agent-2") must have an address in service
/// discovery (<c>services:agent-2:http:0</c>); the call then goes to the logical <c>http://agent-2/</c>, which
/// ServiceDefaults' discovery handler rewrites on every attempt, so the resilience pipeline and its circuit breaker are
/// keyed by the agent's name. An absolute http(s) URL is called as is.
/// </summary>
internal sealed class SuccessorResolver(IConfiguration configuration)
{
    public Uri? Resolve(string successor)
    {
        if (Uri.TryCreate(successor, UriKind.Absolute, out var direct) && direct.Scheme is "http" or "https") return direct;
        foreach (var scheme in (string[])["http", "https"])
            if (configuration.GetSection($"services:{successor}:{scheme}").Exists()) return new Uri($"{scheme}://{successor}/");
        return null;
    }

    public static string KeyFor(string successor) => $"services:{successor}:http:0";
}
