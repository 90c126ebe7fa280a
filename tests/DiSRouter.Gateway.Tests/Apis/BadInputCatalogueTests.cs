using System.Net;
using System.Net.Http.Headers;
using System.Text;
using DiSRouter.Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace DiSRouter.Gateway.Tests.Apis;

/// <summary>
/// The inputs that once crashed a request or were answered as if valid: each gets a 4xx application/problem+json with
/// its reason, and none reaches an agent.
/// </summary>
public sealed class BadInputCatalogueTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private const string Messages = "\"messages\": [{\"role\": \"user\", \"content\": \"What is 2 + 2?\"}]";

    [Theory]
    [InlineData("{" + Messages + ", \"model\": \"\\ud800\"}", "lone UTF-16 surrogate")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": \"x\\udc00y\"}]}", "lone UTF-16 surrogate")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": \"\\ud800\\u0041\"}]}", "lone UTF-16 surrogate")]
    [InlineData("{\"\\ud800\": 1, " + Messages + "}", "lone UTF-16 surrogate")]
    [InlineData("{\"model\": \"disrouter\", \"model\": \"agent-2\", " + Messages + "}", "\"model\" appears twice")]
    [InlineData("{" + Messages + ", \"messages\": []}", "\"messages\" appears twice")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"role\": \"system\", \"content\": \"x\"}]}", "\"role\" appears twice")]
    public async Task MalformedJsonTextGets400WithTheReason(string json, string reason)
    {
        var before = fixture.Agent1.Requests.Count;
        using var response = await PostAsync(Encoding.UTF8.GetBytes(json), "application/json");

        await BadRequestTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, reason);
        Assert.Equal(before, fixture.Agent1.Requests.Count);
    }

    [Fact]
    public async Task SurrogatePairIsStillAccepted()
    {
        using var response = await PostAsync(Encoding.UTF8.GetBytes("{\"messages\": [{\"role\": \"user\", \"content\": \"\\ud83d\\ude00 2+2?\"}]}"), "application/json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0xC3, 0x28 })] // a lead byte without its continuation
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })] // a surrogate encoded in UTF-8 (CESU), not valid UTF-8
    [InlineData(new byte[] { 0xC0, 0xAF })] // an overlong '/'
    public async Task InvalidUtf8Gets400NamingTheByte(byte[] bad)
    {
        var head = Encoding.UTF8.GetBytes("{\"messages\": [{\"role\": \"user\", \"content\": \"abc");
        var tail = Encoding.UTF8.GetBytes("\"}]}");
        var body = head.Concat(bad).Concat(tail).ToArray();

        using var response = await PostAsync(body, "application/json");

        await BadRequestTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, $"not valid UTF-8 (byte {head.Length + 1}");
    }

    [Theory]
    [InlineData("text/plain", "'text/plain'")]
    [InlineData("application/x-www-form-urlencoded", "'application/x-www-form-urlencoded'")]
    [InlineData("multipart/form-data; boundary=x", "'multipart/form-data'")]
    [InlineData("application/json; charset=iso-8859-1", "charset is 'iso-8859-1'")]
    [InlineData(null, "no Content-Type")]
    public async Task BodyThatIsNotJsonGets415(string? contentType, string reason)
    {
        var before = fixture.Agent1.Requests.Count;
        using var response = await PostAsync(Encoding.UTF8.GetBytes(GatewayFixture.Chat().ToJsonString()), contentType);

        await BadRequestTests.AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, reason);
        Assert.Equal(before, fixture.Agent1.Requests.Count);
    }

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/vnd.openai+json")]
    public async Task JsonMediaTypesAreAccepted(string contentType)
    {
        using var response = await PostAsync(Encoding.UTF8.GetBytes(GatewayFixture.Chat().ToJsonString()), contentType);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task WrongMethodOnTheChatRouteGets405Problem(string method)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), "/v1/chat/completions");
        using var response = await fixture.Client.SendAsync(request).WaitAsync(TestTimeouts.Request);

        await BadRequestTests.AssertProblemAsync(response, HttpStatusCode.MethodNotAllowed, $"{method} is not allowed on /v1/chat/completions");
        Assert.Contains("POST", response.Content.Headers.Allow);
    }

    [Fact]
    public async Task UnknownPathGets404Problem()
    {
        using var response = await fixture.Client.GetAsync("/v1/nothing-here").WaitAsync(TestTimeouts.Request);

        await BadRequestTests.AssertProblemAsync(response, HttpStatusCode.NotFound, "Nothing is served at /v1/nothing-here");
    }

    [Fact]
    public async Task AgentsPlainJsonRefusalIsRelayedAsAProblemWithItsStatus()
    {
        fixture.Agent1.Respond = _ => Results.Content("{\"error\": {\"message\": \"context too long\"}}", "application/json", statusCode: 422);
        try
        {
            using var response = await fixture.PostChatAsync(GatewayFixture.Chat());

            await BadRequestTests.AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity, "answered HTTP 422: context too long");
        }
        finally
        {
            fixture.Agent1.Respond = null;
        }
    }

    [Fact]
    public async Task AgentsOwnProblemIsRelayedWithTheSameContentTypeAsTheGateways()
    {
        fixture.Agent1.Respond = _ => Results.Problem(detail: "'messages[0].content' is too long for agent-1", statusCode: 400);
        try
        {
            using var relayed = await fixture.PostChatAsync(GatewayFixture.Chat());
            using var own = await PostAsync(Encoding.UTF8.GetBytes("{}"), "application/json");

            await BadRequestTests.AssertProblemAsync(relayed, HttpStatusCode.BadRequest, "too long for agent-1");
            await BadRequestTests.AssertProblemAsync(own, HttpStatusCode.BadRequest, "'messages' is required");
            Assert.Equal(own.Content.Headers.ContentType?.ToString(), relayed.Content.Headers.ContentType?.ToString());
        }
        finally
        {
            fixture.Agent1.Respond = null;
        }
    }

    private Task<HttpResponseMessage> PostAsync(byte[] body, string? contentType)
    {
        var content = new ByteArrayContent(body);
        if (contentType is not null) content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return fixture.Client.PostAsync("/v1/chat/completions", content).WaitAsync(TestTimeouts.Request);
    }
}
