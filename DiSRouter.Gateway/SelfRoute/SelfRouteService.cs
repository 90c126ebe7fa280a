using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Serialization;
using DiSRouter.Core.Evaluation.Routers;
using DiSRouter.Core.Routing;
using DiSRouter.Gateway.Routing;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace DiSRouter.Gateway.SelfRoute;

/// <summary>
/// The gateway's Self-Route mode: the router file (<see cref="SelfRouteFile"/>) and which served agent each of its
/// agents is. An agent is matched by the fingerprint of the weights it serves (its GET /checkpoint), never by name, so a
/// retrained agent makes the file stale: the mode then refuses with the reason until the router is fitted again. The
/// state is checked every <see cref="SelfRouteSettings.CheckIntervalSeconds"/> (<see cref="SelfRouteChecker"/>) and read
/// by requests without waiting; the first request waits for the first check.
/// </summary>
internal sealed class SelfRouteService(
    IOptionsMonitor<GatewayOptions> options,
    IHttpClientFactory httpClients,
    IProxyStateLookup proxy,
    ILogger<SelfRouteService> logger)
{
    public const string Mode = "self-route";
    public const string HttpClientName = "self-route-checkpoints";

    private readonly SemaphoreSlim _checking = new(1, 1);
    private volatile SelfRouteState? _state;
    private (string Path, DateTime WrittenAt, long Length, SelfRouteFile File, SelfRouteRouter Router)? _loaded;

    // Each agent's weights as last seen: an agent that is down keeps its place, so that the router can still choose it
    // and the request fall back past it, as the cascade skips a successor that is down.
    private readonly Dictionary<string, string> _lastSeenWeights = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The current state; checked once first when no check has finished yet.</summary>
    public async Task<SelfRouteState> StateAsync(CancellationToken ct) => _state ?? await CheckAsync(ct);

    /// <summary>Reads the file (again when it changed) and every agent's served weights, and says whether the mode can serve.</summary>
    public async Task<SelfRouteState> CheckAsync(CancellationToken ct)
    {
        await _checking.WaitAsync(ct);
        try
        {
            var state = await BuildAsync(ct);
            if (_state?.Problem != state.Problem && state.Problem is not null) SelfRouteLog.Unusable(logger, state.Problem);
            _state = state;
            return state;
        }
        finally
        {
            _checking.Release();
        }
    }

    private async Task<SelfRouteState> BuildAsync(CancellationToken ct)
    {
        var o = options.CurrentValue;
        if (string.IsNullOrWhiteSpace(o.SelfRoute.RouterFile))
            return SelfRouteState.Off($"Self-Route is not configured on this gateway (Gateway:SelfRoute:RouterFile); fit a router with " +
                $"`dotnet run -c Release --project DiSRouter.Training -- fit self-route` and point the setting at its file.");
        var path = Path.GetFullPath(o.SelfRoute.RouterFile);
        if (!File.Exists(path))
            return SelfRouteState.Broken($"The Self-Route router file {path} does not exist; write it with `dotnet run -c Release --project DiSRouter.Training -- fit self-route`.");
        var info = new FileInfo(path);
        if (_loaded is not { } loaded || loaded.Path != path || loaded.WrittenAt != info.LastWriteTimeUtc || loaded.Length != info.Length)
        {
            try
            {
                var file = SelfRouteFile.Load(path);
                _loaded = loaded = (path, info.LastWriteTimeUtc, info.Length, file, SelfRouteRouter.FromFile(file));
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                _loaded = null;
                return SelfRouteState.Broken($"The Self-Route router file {path} could not be read: {e.Message}");
            }
        }

        var seen = await Task.WhenAll(o.Agents.Select(agent => ServedWeightsAsync(agent, o, ct)));
        foreach (var (agent, weights, _) in seen)
            if (weights is not null) _lastSeenWeights[agent] = weights;

        var members = new List<(int Index, string Agent)>();
        var known = loaded.File.Agents.Select((a, i) => (a, i)).ToDictionary(x => x.a.WeightsSha256, x => x.i);
        var stale = new List<string>();
        foreach (var agent in o.Agents)
        {
            if (!_lastSeenWeights.TryGetValue(agent, out var weights)) continue;
            if (known.TryGetValue(weights, out var index)) members.Add((index, agent));
            else stale.Add($"{agent} serves weights {weights}");
        }
        var fileAgents = string.Join(", ", loaded.File.Agents.Select(a => $"{a.Name} {a.WeightsSha256}"));
        if (stale.Count > 0)
            return SelfRouteState.Broken($"The Self-Route router file {path} is stale: {string.Join("; ", stale)}, which it was not fitted on " +
                $"(it knows {fileAgents}); fit it again with `dotnet run -c Release --project DiSRouter.Training -- fit self-route`.");
        if (members.Count == 0)
        {
            var why = string.Join("; ", seen.Where(s => s.Problem is not null).Select(s => $"{s.Agent}: {s.Problem}"));
            return SelfRouteState.Broken($"No served agent's weights could be matched to the Self-Route router file {path} ({fileAgents}): {why}.");
        }
        members.Sort((a, b) => a.Index.CompareTo(b.Index));
        return new SelfRouteState(null, loaded.Router, loaded.File, members, path);
    }

    private async Task<(string Agent, string? Weights, string? Problem)> ServedWeightsAsync(string agent, GatewayOptions o, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(Math.Max(1, o.Health.ProbeTimeoutSeconds)));
        try
        {
            var client = httpClients.CreateClient(HttpClientName);
            using var response = await client.GetAsync($"http://{agent}/checkpoint", timeout.Token);
            if (!response.IsSuccessStatusCode) return (agent, null, $"GET /checkpoint answered {(int)response.StatusCode} (a hosted model has no weights to match)");
            var status = await response.Content.ReadFromJsonAsync<ServedCheckpoint>(timeout.Token);
            return status?.WeightsSha256 is { Length: > 0 } w ? (agent, w, null) : (agent, null, "GET /checkpoint names no weights_sha256");
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException && !ct.IsCancellationRequested)
        {
            return (agent, null, $"GET /checkpoint failed: {e.Message}");
        }
    }

    /// <summary>
    /// One request's route: the router states the query's family and difficulty and picks the agent of highest expected
    /// utility among the served ones; when that agent has no available replica (YARP's probes), the next costlier one
    /// that has takes it, else the costliest cheaper one (as the cascade skips a successor that is down), marked degraded.
    /// </summary>
    public RouterDecision Route(SelfRouteState state, string query, double alpha, IReadOnlySet<string>? failed = null)
    {
        var clock = Stopwatch.GetTimestamp();
        var costs = state.File!.Agents.Select(a => a.Cost).ToArray();
        var choice = state.Router!.Route(query, alpha, costs, state.Members.Select(m => m.Index).ToArray());
        var position = state.Members.FindIndex(m => m.Index == choice.Agent);
        var chosen = state.Members[position].Agent;
        var order = state.Members.Skip(position).Concat(state.Members.Take(position).Reverse()).Select(m => m.Agent);
        var forwardedTo = order.FirstOrDefault(a => failed?.Contains(a) != true && Available(a));
        var routerMs = Stopwatch.GetElapsedTime(clock).TotalMilliseconds;
        var metadata = new RouterMetadata
        {
            Mode = Mode,
            Family = choice.Family,
            Difficulty = choice.Difficulty,
            Chosen = chosen,
            ChosenModel = state.File.Agents[choice.Agent].Name,
            ExpectedAccuracy = Math.Round(choice.Profile[choice.Agent], 4),
            ForwardedTo = forwardedTo ?? "",
            RouterMs = Math.Round(routerMs, 3),
        };
        string? degraded = forwardedTo is null || forwardedTo == chosen ? null
            : $"skipped {chosen} (self-route's choice: {(failed?.Contains(chosen) == true ? "could not be reached" : "no available replica")}); {forwardedTo} answered";
        return new RouterDecision(metadata, forwardedTo, degraded, "self-route heads (hashed n-grams)", "Self-Route",
            forwardedTo is null ? $"Self-Route chose {chosen}, and no agent it routes among has an available replica" : null);
    }

    /// <summary>Whether YARP would send to one of the agent's replicas (healthy or not yet probed).</summary>
    private bool Available(string agent) =>
        proxy.TryGetCluster(agent, out var cluster) &&
        cluster.Destinations.Values.Any(d => d.Health.Active != DestinationHealth.Unhealthy && d.Health.Passive != DestinationHealth.Unhealthy);

    private sealed record ServedCheckpoint([property: JsonPropertyName("weights_sha256")] string? WeightsSha256);
}

/// <summary>
/// Whether the mode can serve, and with what: the router, its file, and the file's agents that are served, as
/// (index in the file, agent service) in the file's (cascade) order. <see cref="Problem"/> says why not.
/// </summary>
internal sealed record SelfRouteState(string? Problem, SelfRouteRouter? Router, SelfRouteFile? File, List<(int Index, string Agent)> Members, string? Path,
    bool Configured = true)
{
    public static SelfRouteState Off(string reason) => new(reason, null, null, [], null, Configured: false);

    public static SelfRouteState Broken(string reason) => new(reason, null, null, [], null);
}

internal static partial class SelfRouteLog
{
    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "Self-Route cannot serve: {Reason}")]
    public static partial void Unusable(ILogger logger, string reason);
}
