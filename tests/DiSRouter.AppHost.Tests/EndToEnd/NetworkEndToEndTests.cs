using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using DiSRouter.AppHost.Tests.Infrastructure;
using OpenAI;
using OpenAI.Chat;

namespace DiSRouter.AppHost.Tests.EndToEnd;

/// <summary>Requests through the official OpenAI .NET SDK into the launched network, and what the network does with them.</summary>
public sealed class NetworkEndToEndTests(NetworkFixture network) : IClassFixture<NetworkFixture>
{
    [Fact]
    public async Task SdkRequestIsAnsweredByTheFirstAgentThatDoesNotReject()
    {
        var sut = Client("disrouter-balance");

        var result = await sut.CompleteChatAsync([new UserChatMessage("What is 2 + 2?")]).WaitAsync(TestDotnet.Request);

        Assert.Equal(FakeModelServer.Answer, result.Value.Content.Single().Text);
        var routing = Routing(result);
        Assert.Equal("agent-2", (string?)routing["answered_by"]);
        Assert.Equal(0.4, (double)routing["cost"]!);
        Assert.Equal(0.5, (double)routing["alpha"]!);
        var path = routing["path"]!.AsArray();
        Assert.Equal(["agent-1:reject", "agent-2:answer"], path.Select(h => $"{(string?)h!["agent"]}:{(string?)h["decision"]}"));
    }

    [Fact]
    public async Task SdkStreamingDeliversTheSameAnswerInPieces()
    {
        var sut = Client("disrouter-cost-first");
        var text = new StringBuilder();
        var updates = 0;

        await foreach (var update in sut.CompleteChatStreamingAsync([new UserChatMessage("What is 2 + 2?")]).WithCancellation(CancellationToken.None))
        {
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
            updates++;
        }

        Assert.Equal(FakeModelServer.Answer, text.ToString());
        Assert.True(updates > 3, $"Expected the answer in several chunks, got {updates} updates.");
    }

    [Fact]
    public async Task ModelNamingAnAgentStartsTheCascadeThere()
    {
        var sut = Client("agent-3");

        var result = await sut.CompleteChatAsync([new UserChatMessage("What is 2 + 2?")]).WaitAsync(TestDotnet.Request);

        Assert.Equal(["agent-3"], Routing(result)["path"]!.AsArray().Select(h => (string?)h!["agent"]));
    }

    [Fact]
    public async Task WrongKeyIsRefusedThroughTheSdk()
    {
        var sut = new ChatClient("disrouter", new ApiKeyCredential("wrong"), new OpenAIClientOptions { Endpoint = new Uri(network.Gateway, "/v1") });

        var error = await Assert.ThrowsAsync<ClientResultException>(() => sut.CompleteChatAsync([new UserChatMessage("hi")]).WaitAsync(TestDotnet.Request));

        Assert.Equal((int)HttpStatusCode.Unauthorized, error.Status);
    }

    [Fact]
    public async Task ServiceOutputIsPrefixedWithItsName()
    {
        await network.AppHost.WaitForLineAsync(@"^\[gateway\] ", TestDotnet.Request);
        await network.AppHost.WaitForLineAsync(@"^\[agent-3\] ", TestDotnet.Request);

        Assert.Contains(network.AppHost.Lines, l => l.StartsWith("[apphost] agent-1 ", StringComparison.Ordinal) && l.Contains("then agent-2, agent-3"));
    }

    private ChatClient Client(string model) =>
        new(model, new ApiKeyCredential(NetworkFixture.ApiKey), new OpenAIClientOptions { Endpoint = new Uri(network.Gateway, "/v1") });

    private static JsonNode Routing(ClientResult<ChatCompletion> result) =>
        JsonNode.Parse(result.GetRawResponse().Content.ToString())!["disrouter"]!;
}
