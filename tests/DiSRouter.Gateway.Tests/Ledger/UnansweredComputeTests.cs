using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using DiSRouter.Gateway.Tests.Infrastructure;
using DiSRouter.Gateway.Tests.Network;

namespace DiSRouter.Gateway.Tests.Ledger;

/// <summary>
/// Requests that got no answer still cost compute, and the ledger books it, charged nothing: a stream that ends in the
/// error event (its answering agent died mid-stream) and a degraded answer the Refuse policy replaced with a 503. The
/// cascade is real: the committed nano agent-1 as its own process, which rejects the query at α = 0 and forwards it to
/// a successor played by <see cref="FakeAgent"/> (absolute URLs in its successor list).
/// </summary>
public sealed class UnansweredComputeTests
{
    private const string AdminKey = "admin-key";

    // agent-1 rejects this one at α = 0 (scripts/reliability/mix.lua: agents 1–3 reject it)
    private const string Query = "Spell cat backwards.";

    [Fact]
    public async Task StreamEndingInTheErrorEventBooksEveryHopsComputeAndChargesNothing()
    {
        await using var dying = await new FakeAgent("agent-x", cost: 0.9) { DieAfterWords = 3, StreamDelay = TimeSpan.FromMilliseconds(20) }.StartAsync();
        var (agent1, url) = await StartAgent1Async([dying.Url.ToString()]);
        try
        {
            await using var factory = Gateway(url, "Answer");
            using var client = factory.CreateAuthorizedClient();

            using var response = await client.SendAsync(Request(stream: true), HttpCompletionOption.ResponseHeadersRead).WaitAsync(TestTimeouts.Request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var events = await ReadEventsAsync(response);

            // the client saw the error event, with the hops so far: agent-1's rejection (its real tokens) and the dead successor
            var error = JsonNode.Parse(events[^1])!;
            Assert.True(error["error"] is not null, string.Join("\n", events));
            var path = error["disrouter"]!["path"]!.AsArray();
            Assert.Equal(["reject", "failed"], path.Select(h => (string?)h!["decision"]));
            long prompt = (long)path[0]!["prompt_tokens"]!, completion = (long)path[0]!["completion_tokens"]!;
            Assert.True(prompt > 0 && completion > 0, events[^1]);

            var key = await KeyAsync(factory);
            Assert.Equal((1L, 1L, 0L), ((long)key["requests"]!, (long)key["failed"]!, (long)key["refused"]!));
            Assert.Equal(0, (double)key["cost"]!);
            Assert.Equal((prompt, completion), ((long)key["prompt_tokens"]!, (long)key["completion_tokens"]!));
            var entry = (await LedgerAsync(factory))["recent"]!.AsArray().Single()!;
            Assert.Equal(("failed", (string?)null, 2), ((string?)entry["outcome"], (string?)entry["answered_by"], (int)entry["hops"]!));
        }
        finally
        {
            Stop(agent1);
        }
    }

    [Fact]
    public async Task DegradedAnswerRefusedWith503BooksItsComputeAndChargesNothing()
    {
        // agent-1's first successor refuses connections, so the answer comes from the second, marked "skipped …"
        await using var answering = await new FakeAgent("agent-x", cost: 0.9).StartAsync();
        var closed = new Uri($"http://127.0.0.1:{NanoNetwork.FreePort()}");
        var (agent1, url) = await StartAgent1Async([closed.ToString(), answering.Url.ToString()]);
        try
        {
            // The same request under both policies: Answer shows the metadata (what the compute was), Refuse must book the same at no charge.
            await using var answered = Gateway(url, "Answer");
            using (var client = answered.CreateAuthorizedClient())
            using (var response = await client.SendAsync(Request(stream: false)).WaitAsync(TestTimeouts.Request))
            {
                var body = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.OK, body);
                Assert.Contains("skipped", response.Headers.GetValues("X-DiSRouter-Degraded").Single());
            }
            var expected = await KeyAsync(answered);
            Assert.Equal(0.9, (double)expected["cost"]!, 9);

            await using var refusing = Gateway(url, "Refuse");
            foreach (var stream in new[] { false, true })
            {
                using var client = refusing.CreateAuthorizedClient();
                using var response = await client.SendAsync(Request(stream)).WaitAsync(TestTimeouts.Request);
                var body = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, body);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }

            var key = await KeyAsync(refusing);
            Assert.Equal((2L, 2L, 0L), ((long)key["requests"]!, (long)key["refused"]!, (long)key["failed"]!));
            Assert.Equal(0, (double)key["cost"]!);
            // agent-1's rejection (a real prompt pass) and the answering agent's 10 + 20 tokens, twice: whole and streamed alike
            Assert.True((long)expected["prompt_tokens"]! > 10, expected.ToJsonString());
            Assert.Equal(2 * (long)expected["prompt_tokens"]!, (long)key["prompt_tokens"]!);
            Assert.Equal(2 * (long)expected["completion_tokens"]!, (long)key["completion_tokens"]!);
            var recent = (await LedgerAsync(refusing))["recent"]!.AsArray();
            Assert.All(recent, r => Assert.Equal(("refused", 3), ((string?)r!["outcome"], (int)r["hops"]!)));
            Assert.Equal([false, true], recent.Select(r => (bool)r!["streamed"]!));
        }
        finally
        {
            Stop(agent1);
        }
    }

    private static async Task<(Process Agent, Uri Url)> StartAgent1Async(IReadOnlyList<string> successors)
    {
        var url = new Uri($"http://127.0.0.1:{NanoNetwork.FreePort()}");
        var agent = NanoNetwork.StartAgent(1, url, successors, new Dictionary<string, Uri>());
        try
        {
            await NanoNetwork.WaitHealthyAsync(agent, "agent-1", url);
        }
        catch
        {
            Stop(agent);
            throw;
        }
        return (agent, url);
    }

    private static void Stop(Process agent)
    {
        if (!agent.HasExited) agent.Kill(entireProcessTree: true);
        agent.WaitForExit(10_000);
        agent.Dispose();
    }

    private static GatewayFactory Gateway(Uri agent1, string policy) => new(new Dictionary<string, Uri> { ["agent-1"] = agent1 }, new()
    {
        ["Gateway:AdminKeys:0"] = AdminKey,
        ["Gateway:DegradedAnswers"] = policy,
    });

    private static HttpRequestMessage Request(bool stream)
    {
        var chat = GatewayFixture.Chat(model: "disrouter-cascade", content: Query); // agent-1's own rejection is what is booked
        chat["alpha"] = 0.0;
        chat["temperature"] = 0.0;
        if (stream) chat["stream"] = true;
        return new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent(chat.ToJsonString(), Encoding.UTF8, "application/json"),
        };
    }

    /// <summary>The stream's data events, read until it ends or breaks (a stream with the error event ends broken).</summary>
    private static async Task<List<string>> ReadEventsAsync(HttpResponseMessage response)
    {
        var events = new List<string>();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        try
        {
            while (await reader.ReadLineAsync().WaitAsync(TestTimeouts.Request) is { } line)
                if (line.StartsWith("data: ", StringComparison.Ordinal)) events.Add(line["data: ".Length..]);
        }
        catch (IOException)
        {
        }
        Assert.NotEmpty(events);
        Assert.DoesNotContain("[DONE]", events);
        return events;
    }

    private static async Task<JsonNode> LedgerAsync(GatewayFactory factory)
    {
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/ledger");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        using var response = await client.SendAsync(request).WaitAsync(TestTimeouts.Request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!;
    }

    // A stream is booked when the gateway's pipeline ends, which on a loaded machine can come just after the client has read
    // the last event: wait for the booking (bounded) rather than read an empty ledger.
    private static async Task<JsonNode> KeyAsync(GatewayFactory factory)
    {
        var deadline = DateTime.UtcNow + TestTimeouts.Request;
        while (true)
        {
            var keys = (await LedgerAsync(factory))["keys"]!.AsArray();
            if (keys.Count > 0 || DateTime.UtcNow > deadline) return keys.Single()!;
            await Task.Delay(20);
        }
    }
}
