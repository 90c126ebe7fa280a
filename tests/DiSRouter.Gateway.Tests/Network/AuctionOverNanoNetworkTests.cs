using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace DiSRouter.Gateway.Tests.Network;

/// <summary>
/// The agents' own auction over the committed nano agents, through the gateway: on the same questions at α = 0.2, 0.5
/// and 0.8 it picks the agent the gateway's bids mode picks (every agent asked at once), from the same bids, while the
/// agents it leaves unasked are the dearer ones no bid of theirs could make win.
/// </summary>
public sealed class AuctionOverNanoNetworkTests(NanoNetwork network, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<NanoNetwork>
{
    /// <summary>Easy to out of reach for the small agents (docs/pool.md, docs/reliability.md), so that winners and auction lengths vary.</summary>
    private static readonly string[] Questions =
    [
        "What is 12+7?", "What is 14+3*2?", "What is 58-9+4*3-7?", "What is 7*8? A) 59 B) 66 C) 57 D) 56", "Spell cat backwards.",
        "What is 1234+5678?", "What is 734-289?",
    ];

    [Theory]
    [InlineData(0.2)]
    [InlineData(0.5)]
    [InlineData(0.8)]
    public async Task AuctionPicksTheWinnerOfTheGatewaysBidsFromTheSameBids(double alpha)
    {
        foreach (var question in Questions)
        {
            var bids = await AskAsync("disrouter-bids", question, alpha);
            var auction = await AskAsync("disrouter-auction", question, alpha);

            var everyBid = bids["router"]!["bids"]!.AsArray();
            var auctionBids = auction["router"]!["bids"]!.AsArray();
            var winner = (string?)bids["router"]!["chosen"];
            Assert.True(winner == (string?)auction["answered_by"], $"{question} at α = {alpha}: the bids chose {winner}, the auction {auction["answered_by"]}");
            Assert.Equal(winner, (string?)auction["router"]!["chosen"]);
            Assert.Equal("auction", (string?)auction["router"]!["mode"]);
            Assert.Equal((double)bids["cost"]!, (double)auction["cost"]!);

            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"α = {alpha}, {question}: {winner} wins, the auction asked {auctionBids.Count(b => b!["absent"] is null)} of {everyBid.Count}"));

            // Cheapest first: the agents asked bid what they bid to the gateway; the first left out names why, and no one after it was reached.
            var asked = auctionBids.TakeWhile(b => b!["absent"] is null).ToList();
            Assert.NotEmpty(asked);
            for (var k = 0; k < asked.Count; k++)
            {
                Assert.Equal((string?)everyBid[k]!["agent"], (string?)asked[k]!["agent"]);
                Assert.InRange((double)asked[k]!["p_right"]! - (double)everyBid[k]!["p_right"]!, -1e-6, 1e-6);
            }
            if (asked.Count < everyBid.Count)
            {
                var stopped = Assert.Single(auctionBids.Skip(asked.Count));
                Assert.StartsWith("not asked", (string?)stopped!["absent"]);
                var best = everyBid.Take(asked.Count).Max(b => (double)b!["utility"]!);
                Assert.True(best >= 1 - alpha * (double)stopped["cost"]!, $"{question} at α = {alpha}: {stopped["agent"]} could still have outbid {best}");
            }
        }
    }

    [Fact]
    public async Task StreamedAuctionRelaysTheWinnersAnswerWithEveryHopAndBidInItsLastChunk()
    {
        // A question only the larger agents get (agent-4 wins it at every α above): the auction runs the whole chain,
        // and the winner's answer streams back through the agents before it.
        var body = new JsonObject
        {
            ["model"] = "disrouter-auction",
            ["stream"] = true,
            ["max_tokens"] = 32,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "What is 58-9+4*3-7?" }),
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        using var response = await network.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = text.Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal)).Select(l => l["data: ".Length..]).ToList();
        Assert.Equal("[DONE]", events[^1]);
        var chunks = events.SkipLast(1).Select(e => JsonNode.Parse(e)!).ToList();
        Assert.True(chunks.Count > 3, text); // streamed: role, text chunks, the last
        var metadata = chunks[^1]["disrouter"]!;
        var winner = (string?)metadata["answered_by"];
        Assert.Equal(winner, (string?)metadata["router"]!["chosen"]);
        var path = metadata["path"]!.AsArray();
        Assert.Equal(("answer", winner), ((string?)path[^1]!["decision"], (string?)path[^1]!["agent"]));
        Assert.Equal(["agent-1", "agent-2", "agent-3", "agent-4"], path.Take(4).Select(h => (string?)h!["agent"]));
        Assert.All(path.Take(4), h => Assert.Contains((string?)h!["decision"], new[] { "bid", "hand-back" }));
        Assert.Equal(path.Count - 1, metadata["router"]!["bids"]!.AsArray().Count);
        var usage = (int)chunks[^1]["usage"]!["prompt_tokens"]!;
        Assert.True(usage > (int)path[^1]!["prompt_tokens"]!, "the bids' prompt passes count in the usage");

        // The ledger charges the winner's cost alone, books the auction as the router and every hop's tokens: the usage's.
        using var admin = network.Gateway.CreateAuthorizedClient(NanoNetwork.AdminKey);
        var books = JsonNode.Parse(await admin.GetStringAsync("/admin/ledger"))!;
        var entry = books["recent"]!.AsArray().Last(e => (bool)e!["streamed"]!)!;
        Assert.Equal((winner, (double)path[^1]!["cost"]!, "auction"), ((string?)entry["answered_by"], (double)entry["cost"]!, (string?)entry["router"]));
        Assert.Equal(path.Count, (int)entry["hops"]!);
        Assert.Equal(usage, (long)entry["prompt_tokens"]!);
    }

    private async Task<JsonNode> AskAsync(string model, string question, double alpha)
    {
        var body = new JsonObject
        {
            ["model"] = model,
            ["alpha"] = alpha,
            ["max_tokens"] = 32,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = question }),
        };
        using var response = await network.Client.PostAsync("/v1/chat/completions", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, string.Create(CultureInfo.InvariantCulture, $"{model} at α = {alpha}: {text}"));
        return JsonNode.Parse(text)!["disrouter"]!;
    }
}
