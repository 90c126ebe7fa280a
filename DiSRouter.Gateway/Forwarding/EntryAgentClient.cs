using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using DiSRouter.Core.Routing;

namespace DiSRouter.Gateway.Forwarding;

/// <summary>
/// Sends a request to an agent's cascade endpoint as hop 0. The address is logical (<c>http://agent-1</c>):
/// ServiceDefaults' discovery handler resolves it, its resilience handler bounds it, and HttpClient carries the
/// W3C trace context (traceparent) of the current activity.
/// </summary>
internal sealed class EntryAgentClient(HttpClient http)
{
    public const string CascadePath = "/v1/chat/completions";

    public async Task<AgentReply> SendAsync(string agent, ChatCompletionRequest request, CancellationToken ct)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri($"http://{agent}{CascadePath}"))
        {
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(request, GatewayJson.Options))
            {
                Headers = { ContentType = new MediaTypeHeaderValue("application/json") },
            },
        };
        message.Headers.Add(RoutingHeaders.HopCount, 0.ToString(CultureInfo.InvariantCulture));
        using var response = await http.SendAsync(message, HttpCompletionOption.ResponseContentRead, ct);
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        return new AgentReply((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body);
    }
}

/// <summary>What the agent answered, kept as bytes so that a relay loses nothing.</summary>
internal sealed record AgentReply(int StatusCode, string? MediaType, byte[] Body)
{
    public bool IsSuccess => StatusCode is >= 200 and < 300;
    public bool IsJson => MediaType is "application/json" or "application/problem+json";
}
