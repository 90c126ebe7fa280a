using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using DiSRouter.AppHost.Tests.Infrastructure;
using OpenAI.Chat;
using Xunit.Abstractions;

namespace DiSRouter.AppHost.Tests.EndToEnd;

/// <summary>
/// A cascade whose answering agent is slow (a hosted model streaming a word every few tens of milliseconds), run by the
/// app model: its stream reaches the client as it is generated, and killing the agent mid-answer ends the stream with
/// OpenAI's error event, never a silent [DONE]; the AppHost then starts the agent again.
/// </summary>
public sealed class SlowAnswerTests(SlowAnswererFixture network, ITestOutputHelper output) : IClassFixture<SlowAnswererFixture>
{
    [Fact]
    public async Task StreamedAnswerReachesTheClientWhileTheModelStillGenerates()
    {
        var query = await network.QueryForTheSlowAgentAsync();
        network.Model.TokenDelay = TimeSpan.FromMilliseconds(100);
        network.Model.Words = 20;
        try
        {
            var sw = Stopwatch.StartNew();
            TimeSpan? first = null;
            var text = new StringBuilder();
            using var timeout = new CancellationTokenSource(NetworkFixture.RequestTimeout);
            await foreach (var update in network.Chat("disrouter-cascade-performance-first").CompleteChatStreamingAsync([new UserChatMessage(query)], cancellationToken: timeout.Token))
                foreach (var part in update.ContentUpdate)
                {
                    first ??= sw.Elapsed;
                    text.Append(part.Text);
                }
            var total = sw.Elapsed;

            // 21 words at 100 ms each: about 2.1 s of generation after agent-1's decision; its first word is out after ~100 ms.
            Assert.StartsWith(SlowModelServer.Opening, text.ToString());
            Assert.EndsWith(" w20", text.ToString());
            Assert.NotNull(first);
            output.WriteLine($"first text after {first!.Value.TotalMilliseconds:0} ms of {total.TotalMilliseconds:0} ms");
            Assert.True(total - first.Value > TimeSpan.FromSeconds(1.5),
                $"First text after {first.Value.TotalMilliseconds:0} ms of {total.TotalMilliseconds:0} ms: the answer was buffered, not streamed.");
        }
        finally
        {
            network.Model.TokenDelay = TimeSpan.Zero;
        }
    }

    [Fact]
    public async Task AnsweringAgentKilledMidStreamEndsTheStreamWithTheErrorEventAndIsStartedAgain()
    {
        var query = await network.QueryForTheSlowAgentAsync();
        network.Model.TokenDelay = TimeSpan.FromMilliseconds(100);
        network.Model.Words = 300; // 30 s, were it let run
        var killedPid = 0;
        var events = new List<string>();
        Exception? broken = null;
        try
        {
            using var http = new HttpClient { BaseAddress = network.Gateway, Timeout = NetworkFixture.RequestTimeout };
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = new StringContent(new JsonObject
                {
                    ["model"] = "disrouter-cascade-performance-first",
                    ["stream"] = true,
                    ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = query }),
                }.ToJsonString(), Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", NetworkFixture.ApiKey);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(NetworkFixture.RequestTimeout);
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            try
            {
                string? line;
                while ((line = await reader.ReadLineAsync().WaitAsync(NetworkFixture.RequestTimeout)) is not null)
                {
                    if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
                    events.Add(line["data: ".Length..]);
                    // Three words in: the agent has committed to its answer and is streaming it. Kill it.
                    if (killedPid == 0 && events.Count(HasText) == 4) // the opening and three words
                        killedPid = network.KillService(SlowAnswererFixture.SlowAgent);
                }
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                broken = e; // the connection is cut after the error event: a client that ignores the event still sees a failure
            }
        }
        finally
        {
            network.Model.TokenDelay = TimeSpan.Zero;
        }
        var killedAt = Stopwatch.StartNew();

        Assert.True(killedPid != 0, "The stream ended before three words arrived:\n" + string.Join("\n", events));
        Assert.DoesNotContain("[DONE]", events);
        var error = JsonNode.Parse(events[^1])?["error"];
        Assert.True(error is not null, "The stream's last event is not an error event:\n" + string.Join("\n", events.TakeLast(3)));
        Assert.Equal(SlowAnswererFixture.SlowAgent, (string?)error["agent"]);
        Assert.Contains("after it began to answer", (string?)error["message"]);
        output.WriteLine($"{events.Count} events; last: {events[^1]}; connection then {(broken is null ? "closed" : "broken: " + broken.GetType().Name)}");

        // Nobody stopped it: the AppHost starts it again, and it answers again.
        await network.WaitForRestartAsync(SlowAnswererFixture.SlowAgent, killedPid, NetworkFixture.StartTimeout);
        output.WriteLine($"{SlowAnswererFixture.SlowAgent} running and healthy again {killedAt.Elapsed.TotalSeconds:0.0} s after the kill");
        var again = await network.Chat("disrouter-cascade-performance-first").CompleteChatAsync([new UserChatMessage(query)]).WaitAsync(NetworkFixture.RequestTimeout);
        Assert.Equal(["agent-1:reject", $"{SlowAnswererFixture.SlowAgent}:answer"], NetworkFixture.Path(NetworkFixture.Routing(again)));
    }

    private static bool HasText(string data) =>
        data.StartsWith('{') && JsonNode.Parse(data)?["choices"] is JsonArray { Count: > 0 } choices
        && (string?)choices[0]?["delta"]?["content"] is { Length: > 0 };
}
