using System.Text;
using System.Text.Json;
using DiSRouter.Core.Routing;
using DiSRouter.Gateway.Apis;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.Transforms;

namespace DiSRouter.Gateway.Forwarding;

/// <summary>
/// What an agent answered goes back as it is, with two exceptions. A server error that is not the cascade's own
/// (500, or a body that is not a problem) is the entry agent failing, and the client gets a 502 problem that quotes it.
/// A refusal that is not application/problem+json (a plain JSON or text 4xx) keeps its status but is rewritten as a
/// problem quoting it, so that every error a client gets, the gateway's own or relayed, has one content type.
/// A refusal (4xx problem) and the gateway-class statuses the cascade itself uses (502, 503, 504, 508) pass through.
/// A hand-back of the auction rule (<see cref="HandBack"/>) names an agent upstream of the entry agent, and there is none:
/// the chain is mis-set, and the client gets a 502 problem that says so rather than a reply it cannot read.
/// </summary>
internal static class AgentFailureTransform
{
    public static async ValueTask ExplainAsync(ResponseTransformContext context)
    {
        if (context.ProxyResponse is not { } response) return; // no answer at all: the forwarder's error, handled by GatewayApi
        var status = (int)response.StatusCode;
        if (status is >= 200 and < 300) return;
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        var isJson = mediaType is "application/json" or "application/problem+json";
        var isCascades = status < 500 || status is 502 or 503 or 504 or 508;
        if (mediaType == "application/problem+json" && isCascades) return;

        var agent = context.HttpContext.Features.Get<IReverseProxyFeature>()?.Cluster.Config.ClusterId ?? "agent";
        var body = await response.Content.ReadAsByteArrayAsync(context.CancellationToken);
        context.SuppressResponseBody = true;
        context.HttpContext.Response.Headers.Clear();
        context.HttpContext.Response.Headers.Remove(RoutingHeaders.AnsweredBy);
        if (mediaType == HandBack.MediaType)
        {
            await GatewayApi.Problem(StatusCodes.Status502BadGateway, HandedBackToGateway(agent, body)).ExecuteAsync(context.HttpContext);
            return;
        }
        var relayed = isCascades ? status : StatusCodes.Status502BadGateway;
        await GatewayApi.Problem(relayed, $"The entry agent {agent} answered HTTP {status}: {Detail(body, isJson)}")
            .ExecuteAsync(context.HttpContext);
    }

    /// <summary>Why a hand-back reached the gateway: the winner it names (no agent before the entry agent can answer), and its reason.</summary>
    private static string HandedBackToGateway(string agent, byte[] body)
    {
        var named = HandBack.TryRead(body) is { } handBack ? $"named {handBack.Winner} the auction's winner ({handBack.Reason})" : "sent a hand-back that names no winner";
        return $"The entry agent {agent} handed the query back to the gateway: it {named}, but a hand-back must end at the agent it names, " +
            "upstream of the one that sends it, and there is none before the entry agent. The agents' chain is mis-set (a successor that is not dearer, or a winner that is not on the path).";
    }

    /// <summary>The detail (or title) of an agent's problem body, else the start of whatever it sent.</summary>
    private static string Detail(byte[] body, bool isJson)
    {
        if (isJson)
        {
            try
            {
                using var doc = JsonDocument.Parse(body);
                var root = doc.RootElement;
                // OpenAI's error shape {"error": {"message": ...}} as well as a problem's detail or title
                if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
                    root = error;
                foreach (var field in (string[])["detail", "message", "title"])
                    if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String)
                        return v.GetString()!;
            }
            catch (JsonException)
            {
            }
        }
        return body.Length == 0 ? "(empty body)" : Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 200));
    }
}
