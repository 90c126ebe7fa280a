using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using DiSRouter.Gateway.Tests.Apis;
using DiSRouter.Gateway.Tests.Infrastructure;
using DiSRouter.Gateway.Tests.SelfRoute;
using Microsoft.AspNetCore.Http;

namespace DiSRouter.Gateway.Tests.Bids;

/// <summary>
/// The gateway's bids mode over real HTTP: every agent is asked for its bid (POST /v1/assess), the agent of highest
/// p − α·c gets the request told to answer, and the metadata lists every bid; agents that fail or cannot bid are left
/// out with the reason; no bid at all is a 503; a winner that cannot be reached is stood in for by the next best bid.
/// </summary>
public sealed class BidsTests
{
    [Theory]
    [InlineData("disrouter-bids", 0.5, "agent-1")]
    [InlineData("disrouter-bids-balance", 0.5, "agent-1")]
    [InlineData("disrouter-bids-performance-first", 0.2, "agent-2")]
    [InlineData("disrouter-bids-cost-first", 0.8, "agent-1")]
    public async Task BidsAliasSendsTheQueryToTheAgentOfHighestBidLessAlphaTimesCost(string model, double alpha, string expected)
    {
        await using var world = await BidsWorld.StartAsync();

        using var response = await world.PostAsync(model);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var (chosen, other) = expected == "agent-1" ? (world.Agent1, world.Agent2) : (world.Agent2, world.Agent1);
        var received = Assert.Single(chosen.Requests);
        Assert.Empty(other.Requests);
        Assert.Equal("bids", received.Headers["X-DiSRouter-Routed-By"]);
        Assert.Equal("0", received.Headers["X-DiSRouter-Hops"]);
        Assert.Equal(alpha, received.Alpha);
        // Both agents were asked, with the client's request as it came.
        foreach (var agent in new[] { world.Agent1, world.Agent2 })
            Assert.Equal(BidsWorld.Question, (string?)Assert.Single(agent.Assessments).Body["messages"]![0]!["content"]);
        Assert.Equal(expected, response.Headers.GetValues("X-DiSRouter-Answered-By").Single());
    }

    [Fact]
    public async Task AlphaFromTheBodyOrTheHeaderChangesTheWinner()
    {
        await using var world = await BidsWorld.StartAsync();

        using (var balance = await world.PostAsync()) Assert.Equal("agent-1", balance.Headers.GetValues("X-DiSRouter-Answered-By").Single());
        using (var body = await world.PostAsync(alpha: 0.2)) Assert.Equal("agent-2", body.Headers.GetValues("X-DiSRouter-Answered-By").Single());
        using (var header = await world.PostAsync(configure: r => r.Headers.Add("X-DiSRouter-Alpha", "0.1")))
            Assert.Equal("agent-2", header.Headers.GetValues("X-DiSRouter-Answered-By").Single());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task MetadataAndLedgerCarryEveryBidTheChoiceAndTheAuctionsTime(bool stream)
    {
        await using var world = await BidsWorld.StartAsync();

        using var response = await world.PostAsync(stream: stream, alpha: 0.2);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var metadata = SelfRouteWorld.Metadata(text, stream);
        var router = metadata["router"]!;
        Assert.Equal("bids", (string?)router["mode"]);
        Assert.Null(router["family"]);
        var bids = router["bids"]!.AsArray();
        Assert.Equal(["agent-1", "agent-2"], bids.Select(b => (string?)b!["agent"]));
        Assert.Equal([0.6, 0.95], bids.Select(b => (double)b!["p_right"]!));
        Assert.Equal([0.1, 0.9], bids.Select(b => (double)b!["cost"]!));
        Assert.Equal(0.6 - 0.2 * 0.1, (double)bids[0]!["utility"]!, 6);
        Assert.Equal(0.95 - 0.2 * 0.9, (double)bids[1]!["utility"]!, 6);
        Assert.All(bids, b => Assert.Null(b!["absent"]));
        Assert.Equal(("agent-2", "nano-agent-2", "agent-2"), ((string?)router["chosen"], (string?)router["chosen_model"], (string?)router["forwarded_to"]));
        Assert.Equal(0.95, (double)router["expected_accuracy"]!);
        Assert.InRange((double)router["router_ms"]!, 0, 10_000);
        var path = metadata["path"]!.AsArray();
        Assert.Equal(["bids", "agent-2"], path.Select(h => (string?)h!["agent"]));
        Assert.Equal(["route", "answer"], path.Select(h => (string?)h!["decision"]));
        Assert.Equal(0.9, (double)metadata["cost"]!);
        Assert.Null(metadata["degraded"]);

        using var ledger = new HttpRequestMessage(HttpMethod.Get, "/admin/ledger");
        ledger.Headers.Authorization = new AuthenticationHeaderValue("Bearer", BidsWorld.AdminKey);
        using var books = await world.Factory.CreateClient().SendAsync(ledger).WaitAsync(TestTimeouts.Request);
        var entry = JsonNode.Parse(await books.Content.ReadAsStringAsync())!["recent"]!.AsArray().Single()!;
        Assert.Equal(("bids", "agent-2", 0.9), ((string?)entry["router"], (string?)entry["answered_by"], (double)entry["cost"]!));
    }

    [Fact]
    public async Task BidderThatFailsIsLeftOutAndListedWithTheReason()
    {
        await using var world = await BidsWorld.StartAsync();
        world.Agent2.RespondToAssess = _ => Results.Problem("the model broke", statusCode: 500);

        using var response = await world.PostAsync(alpha: 0.2); // agent-2's bid would win at 0.2

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal("agent-1", response.Headers.GetValues("X-DiSRouter-Answered-By").Single());
        Assert.Empty(world.Agent2.Requests);
        var bids = SelfRouteWorld.Metadata(text, false)["router"]!["bids"]!.AsArray();
        Assert.Null(bids[1]!["p_right"]);
        Assert.Contains("POST /v1/assess answered 500", (string?)bids[1]!["absent"]);
        Assert.Contains("the model broke", (string?)bids[1]!["absent"]);
    }

    [Fact]
    public async Task BidderThatIsDownOrHasNoBidScaleIsLeftOut()
    {
        await using var world = await BidsWorld.StartAsync(new() { ["Gateway:Health:ProbeIntervalSeconds"] = "600" });
        world.Agent1.PRight = null;
        world.Agent1.NoBid = "a hosted model writes text";
        using (var hosted = await world.PostAsync())
        {
            var text = await hosted.Content.ReadAsStringAsync();
            Assert.True(hosted.StatusCode == HttpStatusCode.OK, text);
            Assert.Equal("agent-2", hosted.Headers.GetValues("X-DiSRouter-Answered-By").Single());
            Assert.Equal("a hosted model writes text", (string?)SelfRouteWorld.Metadata(text, false)["router"]!["bids"]![0]!["absent"]);
        }

        world.Agent1.PRight = 0.6;
        await world.Agent2.DisposeAsync();
        using var response = await world.PostAsync(alpha: 0.2);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Equal("agent-1", response.Headers.GetValues("X-DiSRouter-Answered-By").Single());
        Assert.StartsWith("POST /v1/assess failed", (string?)SelfRouteWorld.Metadata(body, false)["router"]!["bids"]![1]!["absent"]);
        Assert.False(response.Headers.Contains("X-DiSRouter-Degraded")); // a down agent that did not bid was never chosen
    }

    [Fact]
    public async Task BidderTooSlowIsLeftOutAtTheTimeout()
    {
        await using var world = await BidsWorld.StartAsync(new() { ["Gateway:Bids:TimeoutSeconds"] = "0.5" });
        world.Agent2.RespondToAssess = _ =>
        {
            Thread.Sleep(2000);
            return Results.Problem("late");
        };

        using var response = await world.PostAsync(alpha: 0.2);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal("agent-1", response.Headers.GetValues("X-DiSRouter-Answered-By").Single());
        Assert.Contains("no bid within 0.5 s", (string?)SelfRouteWorld.Metadata(text, false)["router"]!["bids"]![1]!["absent"]);
    }

    [Fact]
    public async Task NoBidderGets503ProblemWithEveryAgentsReason()
    {
        await using var world = await BidsWorld.StartAsync();
        world.Agent1.PRight = null;
        world.Agent2.RespondToAssess = _ => Results.Problem("the model broke", statusCode: 502);

        using var response = await world.PostAsync();

        await BadRequestTests.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "No agent bid on this query");
        var detail = (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"];
        Assert.Contains("agent-1: no bid.json beside the checkpoint", detail);
        Assert.Contains("agent-2: POST /v1/assess answered 502", detail);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Empty(world.Agent1.Requests);
        Assert.Empty(world.Agent2.Requests);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WinnerThatCannotBeReachedIsStoodInForByTheNextBidMarkedDegraded(bool stream)
    {
        await using var world = await BidsWorld.StartAsync(new() { ["Gateway:Health:ProbeIntervalSeconds"] = "600" });
        world.Agent2.Respond = _ => new CutConnection(); // bids, then drops the answer's connection

        using var response = await world.PostAsync(stream: stream, alpha: 0.2);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var degraded = response.Headers.GetValues("X-DiSRouter-Degraded").Single();
        Assert.Equal("skipped agent-2 (the highest bid: could not be reached); agent-1 answered (the next best bid)", degraded);
        var metadata = SelfRouteWorld.Metadata(text, stream);
        Assert.Equal(degraded, (string?)metadata["degraded"]);
        Assert.Equal(("agent-2", "agent-1"), ((string?)metadata["router"]!["chosen"], (string?)metadata["router"]!["forwarded_to"]));
        Assert.Equal("agent-1", (string?)metadata["answered_by"]);
        Assert.Equal("bids", Assert.Single(world.Agent1.Requests).Headers["X-DiSRouter-Routed-By"]);
    }

    [Fact]
    public async Task ModelsListsTheBidsAliases()
    {
        await using var world = await BidsWorld.StartAsync();

        var models = JsonNode.Parse(await world.Client.GetStringAsync("/v1/models").WaitAsync(TestTimeouts.Request))!["data"]!.AsArray().Select(m => (string?)m!["id"]).ToList();

        Assert.Superset(new HashSet<string?> { "disrouter-bids", "disrouter-bids-performance-first", "disrouter-bids-balance", "disrouter-bids-cost-first" }, models.ToHashSet());
    }

    /// <summary>An agent whose process breaks while it is being asked for its answer: the connection is cut before any byte.</summary>
    private sealed class CutConnection : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Abort();
            return Task.CompletedTask;
        }
    }
}
