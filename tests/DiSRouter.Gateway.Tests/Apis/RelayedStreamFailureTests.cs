using System.Net;
using System.Text;
using DiSRouter.Gateway.Tests.Infrastructure;

namespace DiSRouter.Gateway.Tests.Apis;

/// <summary>
/// An entry agent that ends streams with the error event (an agent further down died mid-answer) and breaks them off,
/// as agents do, stays in service: the gateway's passive health does not count those streams as its failures.
/// </summary>
public sealed class RelayedStreamFailureTests
{
    [Fact]
    public async Task EntryAgentThatRelaysErrorEventsIsNotLeftOutByPassiveHealth()
    {
        await using var agent = await new FakeAgent("agent-1") { ErrorEventAfterWords = 2 }.StartAsync();
        await using var factory = new GatewayFactory(new Dictionary<string, Uri> { ["agent-1"] = agent.Url }, new()
        {
            ["Gateway:Health:MinimumRequests"] = "2",
            ["Gateway:Health:LeftOutSeconds"] = "600",
        });
        using var client = factory.CreateAuthorizedClient();

        for (var i = 0; i < 8; i++)
        {
            using var stream = await client.SendAsync(Chat(stream: true), HttpCompletionOption.ResponseHeadersRead).WaitAsync(TestTimeouts.Request);
            Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
            using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
            var text = "";
            try
            {
                text = await reader.ReadToEndAsync().WaitAsync(TestTimeouts.Request);
            }
            catch (IOException)
            {
            }
            Assert.DoesNotContain("[DONE]", text);
        }

        agent.ErrorEventAfterWords = null;
        using var answer = await client.SendAsync(Chat(stream: false)).WaitAsync(TestTimeouts.Request);
        var body = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.StatusCode == HttpStatusCode.OK, $"{(int)answer.StatusCode}: {body}");
    }

    private static HttpRequestMessage Chat(bool stream) => new(HttpMethod.Post, "/v1/chat/completions")
    {
        Content = new StringContent(GatewayFixture.Chat().ToJsonString().TrimEnd('}') + (stream ? ",\"stream\":true}" : "}"), Encoding.UTF8, "application/json"),
    };
}
