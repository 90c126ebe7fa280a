using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Aspire.Hosting.ApplicationModel;
using DiSRouter.AppHost.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using OpenAI.Chat;

namespace DiSRouter.AppHost.Tests.EndToEnd;

/// <summary>Requests through the official OpenAI .NET SDK into a subset of the committed agents, run by the app model.</summary>
public sealed class NetworkEndToEndTests(NetworkFixture network) : IClassFixture<NetworkFixture>
{
    /// <summary>Queries of the task families; the cheapest agent answers some and rejects others (at Cost First, α = 0.8).</summary>
    private static readonly string[] Queries =
    [
        "Who wrote the fable of the ant?", "What is 123 * 47?", "What is 17 + 25?", "Which word means the opposite of cold?",
        "What is 9 - 4?", "If x = 3 and y = x + 4, what is y?",
    ];

    [Fact]
    public async Task SdkRequestIsAnsweredWithTheRoutingPath()
    {
        var result = await network.Chat("disrouter-cost-first").CompleteChatAsync([new UserChatMessage("What is 17 + 25?")])
            .WaitAsync(NetworkFixture.RequestTimeout);

        Assert.False(string.IsNullOrWhiteSpace(result.Value.Content.Single().Text));
        var routing = NetworkFixture.Routing(result);
        Assert.Equal(0.8, (double)routing["alpha"]!);
        var path = NetworkFixture.Path(routing);
        Assert.EndsWith(":answer", path[^1]);
        Assert.All(path.Take(path.Count - 1), hop => Assert.EndsWith(":reject", hop));
        Assert.Equal("agent-1", path[0].Split(':')[0]);
        Assert.Contains((string?)routing["answered_by"], NetworkFixture.Agents);
    }

    [Fact]
    public async Task OnlyTheChosenAgentsAreListed()
    {
        var models = await new OpenAIClient(new ApiKeyCredential(NetworkFixture.ApiKey),
                new OpenAIClientOptions { Endpoint = new Uri(network.Gateway, "/v1") })
            .GetOpenAIModelClient().GetModelsAsync().WaitAsync(NetworkFixture.RequestTimeout);

        var agents = models.Value.Select(m => m.Id).Where(id => id.StartsWith("agent-", StringComparison.Ordinal)).Order();
        Assert.Equal(NetworkFixture.Agents, agents);
    }

    [Fact]
    public async Task WrongKeyIsRefusedThroughTheSdk()
    {
        var sut = new ChatClient("disrouter", new ApiKeyCredential("wrong"), new OpenAIClientOptions { Endpoint = new Uri(network.Gateway, "/v1") });

        var error = await Assert.ThrowsAsync<ClientResultException>(() => sut.CompleteChatAsync([new UserChatMessage("hi")]).WaitAsync(NetworkFixture.RequestTimeout));

        Assert.Equal((int)HttpStatusCode.Unauthorized, error.Status);
    }

    [Fact]
    public async Task SdkStreamingDeliversTheWholeAnswer()
    {
        var plain = await network.Chat("disrouter-balance").CompleteChatAsync([new UserChatMessage("What is 9 - 4?")]).WaitAsync(NetworkFixture.RequestTimeout);
        var text = new StringBuilder();
        var updates = 0;

        using var timeout = new CancellationTokenSource(NetworkFixture.RequestTimeout);
        await foreach (var update in network.Chat("disrouter-balance").CompleteChatStreamingAsync([new UserChatMessage("What is 9 - 4?")], cancellationToken: timeout.Token))
        {
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
            updates++;
        }

        Assert.Equal(plain.Value.Content.Single().Text, text.ToString());
        Assert.True(updates > 1, $"Expected the answer in several chunks, got {updates} updates.");
    }

    [Fact]
    public async Task StoppedMiddleAgentIsSkipped()
    {
        // A query the cheapest agent rejects: its next agent, agent-2, is then asked first.
        var twoHops = await FirstRejectedByAgent1Async();
        await network.CommandAsync("agent-2", KnownResourceCommands.StopCommand);
        try
        {
            var result = await network.Chat("disrouter-cost-first").CompleteChatAsync([new UserChatMessage(twoHops)])
                .WaitAsync(NetworkFixture.RequestTimeout);

            var path = NetworkFixture.Path(NetworkFixture.Routing(result));
            Assert.Equal(["agent-1:reject", "agent-2:unreachable", "agent-3:answer"], path);
        }
        finally
        {
            await network.CommandAsync("agent-2", KnownResourceCommands.StartCommand);
            await network.App.ResourceNotifications.WaitForResourceHealthyAsync("agent-2").WaitAsync(NetworkFixture.StartTimeout);
        }
    }

    [Fact]
    public void EachLaunchedAgentHasItsTrainingJobWaitingForAStart()
    {
        var model = network.App.Services.GetRequiredService<DistributedApplicationModel>();

        foreach (var agent in NetworkFixture.Agents)
        {
            var job = Assert.Single(model.Resources, r => r.Name == "selfaware-nano-" + agent[^1]);
            Assert.Contains(job.Annotations.OfType<ResourceRelationshipAnnotation>(), r => r.Resource.Name == agent && r.Type == "Parent");
            Assert.Contains(job.Annotations.OfType<ResourceCommandAnnotation>(), c => c.Name == "run-job");
            Assert.Contains(job.Annotations, a => a.GetType().Name == "ExplicitStartupAnnotation");
        }
        Assert.DoesNotContain(model.Resources, r => r.Name is "selfaware-nano-4" or "selfaware-nano-5"); // their agents are not launched
    }

    private async Task<string> FirstRejectedByAgent1Async()
    {
        foreach (var query in Queries)
        {
            var result = await network.Chat("disrouter-cost-first").CompleteChatAsync([new UserChatMessage(query)])
                .WaitAsync(NetworkFixture.RequestTimeout);
            if (NetworkFixture.Path(NetworkFixture.Routing(result))[0] == "agent-1:reject") return query;
        }
        throw new Xunit.Sdk.XunitException($"agent-1 answered every one of {Queries.Length} queries at α = 0.8; the test needs one it rejects.");
    }
}
