using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DiSRouter.Agents.Backends;
using DiSRouter.Core.Routing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DiSRouter.Models.Torch.Tests.Agents;

/// <summary>
/// An agent (the real Program on Kestrel over loopback) serving the committed self-aware nano-1 checkpoint with
/// Agent:Engine = torch, against the same agent on our managed engine: same replies, same calibrated decisions.
/// Lives here, not in DiSRouter.Agents.Tests, because only this test project carries libtorch.
/// </summary>
public sealed class TorchEngineAgentTests
{
    private static readonly string[] Questions = ["What is 17 + 25?", "Spell the word 'cat' backwards.", "What is the capital of the moon?"];

    [Fact]
    public async Task TorchEngineAgentAnswersRawChatWithTheManagedEnginesText()
    {
        await using var managed = AgentOn("managed");
        await using var torch = AgentOn("torch");
        Assert.IsType<LocalCheckpointBackend>(torch.Services.GetRequiredService<IChatBackend>());
        foreach (var q in Questions)
        {
            var body = Chat(q, "\"max_tokens\":40,\"temperature\":0");
            var expected = await PostAsync(managed.Client, "/raw/v1/chat/completions", body);
            var actual = await PostAsync(torch.Client, "/raw/v1/chat/completions", body);
            Assert.Equal(HttpStatusCode.OK, actual.Status);
            Assert.False(string.IsNullOrWhiteSpace(Content(actual.Body)));
            Assert.Equal(Content(expected.Body), Content(actual.Body));
        }
    }

    [Fact]
    public async Task TorchEngineAgentTakesTheManagedEnginesCalibratedDecisions()
    {
        // Not the last agent, so it decides by decision.json's thresholds; its successor is down, so a rejection is
        // answered here after all and both outcomes come back with the hop's logit gap and threshold.
        await using var managed = AgentOn("managed", successor: "http://127.0.0.1:9");
        await using var torch = AgentOn("torch", successor: "http://127.0.0.1:9");
        Assert.True(((LocalCheckpointBackend)torch.Services.GetRequiredService<IChatBackend>()).HasDecisionThresholds);
        var decisions = new HashSet<string>();
        foreach (var q in Questions)
            foreach (var alpha in new[] { 0.2, 0.8 })
            {
                var body = Chat(q, $"\"max_tokens\":40,\"alpha\":{alpha.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
                var expected = await PostAsync(managed.Client, "/v1/chat/completions", body);
                var actual = await PostAsync(torch.Client, "/v1/chat/completions", body);
                Assert.Equal(HttpStatusCode.OK, actual.Status);
                var (e, a) = (Hop0(expected.Body), Hop0(actual.Body));
                Assert.Equal(e.Decision, a.Decision);
                Assert.NotNull(a.DecisionLogitGap);
                Assert.Equal(e.DecisionLogitGap!.Value, a.DecisionLogitGap!.Value, 3);
                Assert.Equal(e.DecisionThreshold, a.DecisionThreshold);
                Assert.Equal(Content(expected.Body), Content(actual.Body));
                decisions.Add(a.Decision);
            }
        Assert.Equal(["answer", "reject"], decisions.Order());   // both outcomes were compared, not one of them
    }

    [Fact]
    public async Task TorchEngineAgentStreamsTheSameTokensAsTheManagedEngine()
    {
        await using var managed = AgentOn("managed");
        await using var torch = AgentOn("torch");
        var body = Chat(Questions[0], "\"max_tokens\":24,\"temperature\":0,\"stream\":true");
        var expected = StreamedText((await PostAsync(managed.Client, "/raw/v1/chat/completions", body)).Body, out _);
        var actual = StreamedText((await PostAsync(torch.Client, "/raw/v1/chat/completions", body)).Body, out int chunks);
        Assert.True(chunks > 1, "The reply came in one piece, not token by token.");
        Assert.Equal(expected, actual);
    }

    private static Hop Hop0(string body) =>
        JsonSerializer.Deserialize<ChatCompletionResponse>(body)!.DiSRouter!.Path[0];

    private static string Content(string body) => JsonSerializer.Deserialize<ChatCompletionResponse>(body)!.Choices[0].Message.Content;

    private static string StreamedText(string sse, out int chunks)
    {
        var sb = new StringBuilder();
        chunks = 0;
        foreach (var line in sse.Split('\n'))
        {
            if (!line.StartsWith("data: {", StringComparison.Ordinal)) continue;
            var choices = JsonDocument.Parse(line["data: ".Length..]).RootElement.GetProperty("choices");
            if (choices.GetArrayLength() == 0) continue;
            if (choices[0].GetProperty("delta").TryGetProperty("content", out var c) && c.GetString() is { Length: > 0 } text)
            {
                sb.Append(text);
                chunks++;
            }
        }
        return sb.ToString();
    }

    private static string Chat(string query, string extra) =>
        $$"""{"messages":[{"role":"user","content":{{JsonSerializer.Serialize(query)}}}],{{extra}}}""";

    private static async Task<(HttpStatusCode Status, string Body)> PostAsync(HttpClient client, string path, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        using var response = await client.PostAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return (response.StatusCode, text);
    }

    private static Host AgentOn(string engine, string? successor = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Agent:Name"] = "agent-" + engine,
            ["Agent:Cost"] = "0.1",
            ["Agent:Checkpoint"] = NanoCheckpoints.SelfAware(1),
            ["Agent:Engine"] = engine,
            ["Agent:Device"] = "cpu",
            ["Agent:ReloadPollSeconds"] = "0",
            ["Agent:ForwardTimeoutSeconds"] = "5",
        };
        if (successor is not null) settings["Agent:Successors:0"] = successor;
        var factory = new Factory(settings);
        factory.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Host(factory, new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(60) });
    }

    private sealed class Host(Factory factory, HttpClient client) : IAsyncDisposable
    {
        public HttpClient Client => client;
        public IServiceProvider Services => factory.Services;

        public async ValueTask DisposeAsync()
        {
            client.Dispose();
            await factory.DisposeAsync();
        }
    }

    private sealed class Factory(IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Testing");
            builder.ConfigureAppConfiguration(c => c.AddInMemoryCollection(settings));
        }
    }
}
