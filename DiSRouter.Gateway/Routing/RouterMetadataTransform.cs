using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DiSRouter.Core.Requests;
using DiSRouter.Core.Routing;
using Yarp.ReverseProxy.Transforms;

namespace DiSRouter.Gateway.Routing;

/// <summary>
/// An answer to a request the gateway routed (Self-Route, bids) gets the router's part in its routing metadata, whole or
/// streamed: "router" (mode, what it stated or the bids it took, chosen agent, the router's time), a first hop for the
/// router in "path" (decision
/// "route", no cost: the cost charged stays the answering agent's), and, where the chosen agent was down, "degraded" and
/// X-DiSRouter-Degraded. A whole answer is rewritten once read; a stream passes event by event, only the event that
/// carries the metadata rewritten, each flushed as it comes. The ledger (<see cref="Ledger.LedgerTap"/>) reads the result.
/// </summary>
internal static class RouterMetadataTransform
{
    /// <summary>Where <see cref="Apis.GatewayApi"/> leaves the request's decision for this transform.</summary>
    public const string ItemKey = "disrouter.router";

    private const string DataPrefix = "data: ";

    public static async ValueTask ApplyAsync(ResponseTransformContext context)
    {
        var http = context.HttpContext;
        if (context.SuppressResponseBody || context.ProxyResponse is not { IsSuccessStatusCode: true } response ||
            http.Items[ItemKey] is not RouterDecision decision) return;
        if (decision.Degraded is { } degraded)
            http.Response.Headers[RoutingHeaders.Degraded] = http.Response.Headers.TryGetValue(RoutingHeaders.Degraded, out var agents) && agents.Count > 0
                ? $"{degraded}; {agents}" : degraded;

        context.SuppressResponseBody = true;
        http.Response.Headers.ContentLength = null;
        var ct = http.RequestAborted;
        var body = await response.Content.ReadAsStreamAsync(ct);
        if (response.Content.Headers.ContentType?.MediaType != "text/event-stream")
        {
            using var buffer = new MemoryStream();
            await body.CopyToAsync(buffer, ct);
            await http.Response.Body.WriteAsync(Rewrite(buffer.ToArray(), decision), ct);
            return;
        }

        using var reader = new StreamReader(body, Encoding.UTF8);
        try
        {
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                if (line.StartsWith(DataPrefix, StringComparison.Ordinal) && line.Contains("\"disrouter\"", StringComparison.Ordinal))
                    line = DataPrefix + Encoding.UTF8.GetString(Rewrite(Encoding.UTF8.GetBytes(line[DataPrefix.Length..]), decision));
                await http.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), ct);
                if (line.Length == 0) await http.Response.Body.FlushAsync(ct);
            }
        }
        catch (IOException)
        {
            // The agent went away mid-answer: the client sees the stream cut, as it would through YARP's own copy.
            http.Abort();
        }
    }

    /// <summary>The answer or chunk with the router's part joined to its "disrouter" object; unchanged when it has none.</summary>
    private static byte[] Rewrite(byte[] json, RouterDecision decision)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(json); }
        catch (JsonException) { return json; }
        if (root?["disrouter"] is not JsonObject metadata) return json;
        metadata["router"] = JsonSerializer.SerializeToNode(decision.Metadata, WireJson.Options);
        var hop = new Hop
        {
            Agent = decision.Metadata.Mode,
            Model = decision.RouterModel,
            Decision = HopDecision.Route,
            LatencyMs = decision.Metadata.RouterMs,
            ModelMs = decision.Metadata.RouterMs,
            Cost = 0,
        };
        if (metadata["path"] is not JsonArray path) metadata["path"] = path = [];
        path.Insert(0, JsonSerializer.SerializeToNode(hop, WireJson.Options));
        if (decision.Degraded is { } degraded)
            metadata["degraded"] = metadata["degraded"]?.GetValue<string>() is { } agents ? $"{degraded}; {agents}" : degraded;
        return Encoding.UTF8.GetBytes(root.ToJsonString(WireJson.Options));
    }
}
