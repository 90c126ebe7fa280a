using System.Net;
using System.Net.Http.Headers;
using System.Text;
using DiSRouter.Agents.Tests.Support;

namespace DiSRouter.Agents.Tests.Apis;

/// <summary>
/// The catalogue of inputs that once crashed or slipped through, at an agent (the reading is shared with the gateway,
/// Core/Requests): each is a 4xx problem+json with its reason, on the cascade and on the raw model alike.
/// </summary>
public sealed class BadInputCatalogueTests(SingleAgent solo) : IClassFixture<SingleAgent>
{
    [Theory]
    [InlineData("/v1/chat/completions")]
    [InlineData("/raw/v1/chat/completions")]
    public async Task LoneSurrogateDuplicateKeyAndInvalidUtf8Get400(string path)
    {
        var cases = new (byte[] Body, string Reason)[]
        {
            (Encoding.UTF8.GetBytes("{\"messages\":[{\"role\":\"user\",\"content\":\"\\ud800\"}]}"), "lone UTF-16 surrogate"),
            (Encoding.UTF8.GetBytes("{\"model\":\"a\",\"model\":\"b\",\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}"), "\"model\" appears twice"),
            ([.. Encoding.UTF8.GetBytes("{\"messages\":[{\"role\":\"user\",\"content\":\"q"), 0xFF, .. Encoding.UTF8.GetBytes("\"}]}")], "not valid UTF-8 (byte 41"),
        };
        foreach (var (body, reason) in cases)
        {
            var reply = await PostAsync(path, body, "application/json");
            Assert.True(reply.Status == HttpStatusCode.BadRequest, reply.Body);
            Assert.Contains(reason, reply.ProblemDetail);
        }
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData(null)]
    public async Task BodyThatIsNotJsonGets415(string? contentType)
    {
        var reply = await PostAsync("/v1/chat/completions", Encoding.UTF8.GetBytes(Http.Chat("q")), contentType);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, reply.Status);
        Assert.Contains(contentType ?? "no Content-Type", reply.ProblemDetail);
    }

    [Fact]
    public async Task GetOnTheChatRouteGets405Problem()
    {
        var reply = await solo.Agent.Client.GetReplyAsync("/v1/chat/completions");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, reply.Status);
        Assert.Contains("GET is not allowed on /v1/chat/completions", reply.ProblemDetail);
    }

    private async Task<Reply> PostAsync(string path, byte[] body, string? contentType)
    {
        var content = new ByteArrayContent(body);
        if (contentType is not null) content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var response = await solo.Agent.Client.PostAsync(path, content).WaitAsync(TestTimeouts.Request);
        return new Reply(response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }
}
