using System.Net;
using DiSRouter.Agents.Apis;
using DiSRouter.Agents.Cascade;
using DiSRouter.Agents.Tests.Apis;
using DiSRouter.Agents.Tests.Support;
using DiSRouter.Core.Routing;
using DiSRouter.Core.Scenarios;

namespace DiSRouter.Agents.Tests.Backends;

/// <summary>
/// A hosted-backend agent talks, through the official OpenAI SDK, to a real OpenAI-compatible server over loopback:
/// another agent's raw endpoint.
/// </summary>
public sealed class HostedBackendTests
{
    private const string ServedModel = "served-model";

    /// <summary>Settings of a hosted agent pointed at <paramref name="server"/>'s raw endpoint, its key in a fresh environment variable.</summary>
    private static Dictionary<string, string?> HostedSettings(string name, AgentHost server, IEnumerable<string>? successors = null,
        IEnumerable<KeyValuePair<string, string?>>? extra = null)
    {
        var keyVariable = "DISROUTER_TEST_KEY_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(keyVariable, "sk-test");
        return AgentHost.Settings(name, 0.7, successors,
        [
            new("Agent:Backend", "hosted"),
            new("Agent:Endpoint", new Uri(server.BaseAddress, AgentApi.RawBase).ToString()),
            new("Agent:Model", ServedModel),
            new("Agent:ApiKeyEnv", keyVariable),
            .. extra ?? [],
        ]);
    }

    [Fact]
    public async Task HostedLastAgentAnswersThroughTheOpenAiSdk()
    {
        const string answer = "Let's think step by step: 2 + 2 = 4. The final answer is: 4.";
        var model = ScriptedBackend.Answering(ServedModel, answer);
        await using var server = AgentHost.Start(AgentHost.Settings("server", 0.5), model);
        await using var sut = AgentHost.Start(HostedSettings("hosted-1", server));

        var reply = await sut.Client.PostJsonAsync("/v1/chat/completions", Http.Chat("What is 2 + 2?"));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(answer, reply.Content);
        Assert.Equal(ServedModel, reply.Completion.Model);
        var hop = Assert.Single(reply.Routing.Path);
        Assert.Equal(("hosted-1", ServedModel, HopDecision.Answer, 0.7), (hop.Agent, hop.Model, hop.Decision, hop.Cost));
        // The first streamed chunk times the server's first token, inside the whole call.
        Assert.InRange(hop.FirstTokenMs!.Value, 0, hop.ModelMs);
        // The last agent is not offered the rejection: the hosted model gets the answer-only protocol.
        var call = Assert.Single(model.Calls);
        Assert.Equal(AgentPrompts.AnswerOnlyProtocolText, call.Prompt.System);
        Assert.Equal("What is 2 + 2?", call.Query);
        Assert.Equal(answer.Length, reply.Completion.Usage!.CompletionTokens);
    }

    [Fact]
    public async Task HostedAgentRejectsFromTheFirstTokensAndForwards()
    {
        // Left to run, this reply would stream for at least twenty seconds.
        var model = new ScriptedBackend(ServedModel, (_, _, _) => "I don't know!" + new string('.', 1000))
        {
            DelayPerToken = TimeSpan.FromMilliseconds(20),
        };
        KeyValuePair<string, string?> longReplies = new("Agent:MaxNewTokens", "4000");
        await using var server = AgentHost.Start(AgentHost.Settings("server", 0.5, extra: [longReplies]), model);
        await using var next = AgentHost.Start(AgentHost.Settings("agent-2", 0.9), ScriptedBackend.Answering("nano-2", " two."));
        await using var sut = AgentHost.Start(HostedSettings("hosted-1", server, ["agent-2"], [longReplies, .. CascadeNetwork.Discovery(("agent-2", next))]));

        var reply = await sut.Client.PostJsonAsync("/v1/chat/completions", Http.Chat("Who wrote the Voynich manuscript?", "\"scenario\":\"performance-first\""));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal([HopDecision.Reject, HopDecision.Answer], reply.Routing.Path.Select(h => h.Decision));
        Assert.Equal("agent-2", reply.Routing.AnsweredBy);
        // The server saw the client leave and stopped generating long before the end of the reply.
        var call = await Eventually(() => model.Calls.SingleOrDefault());
        Assert.Equal(ScenarioPrompt.PerformanceFirstText + " " + ScenarioPrompt.ProtocolText, call.Prompt.System);
        Assert.Equal("aborted", call.Samples[0].FinishReason);
        // A client that drained the rest of the response (HttpClient's default) would keep it going for ~100 more.
        Assert.True(call.Samples[0].CompletionTokens < 40, $"the server generated {call.Samples[0].CompletionTokens} tokens");
    }

    [Fact]
    public async Task HostedRawEndpointPassesSamplingSettingsToTheServer()
    {
        var model = new ScriptedBackend(ServedModel, (_, _, i) => $"sample-{i}");
        await using var server = AgentHost.Start(AgentHost.Settings("server", 0.5), model);
        await using var sut = AgentHost.Start(HostedSettings("hosted-1", server));

        var reply = await sut.Client.PostJsonAsync("/raw/v1/chat/completions",
            Http.Chat("q", "\"temperature\":0.5,\"top_p\":0.8,\"seed\":7,\"max_tokens\":20,\"stop\":[\"##\"],\"n\":2"));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(2, reply.Completion.Choices.Count);
        Assert.All(reply.Completion.Choices, c => Assert.Equal("sample-0", c.Message.Content));
        Assert.Equal(2, model.Calls.Count);
        Assert.All(model.Calls, c =>
        {
            Assert.Null(c.Prompt.System);
            Assert.Equal((0.5, 0.8, 7, 20, 1), (c.Settings.Temperature, Math.Round(c.Settings.TopP!.Value, 6), c.Settings.Seed, c.Settings.MaxNewTokens, c.Settings.N));
            Assert.Equal(["##"], c.Settings.Stop);
        });
    }

    [Fact]
    public async Task HostedEndpointErrorIsA502WithTheEndpointsReason()
    {
        await using var server = AgentHost.Start(AgentHost.Settings("server", 0.5), ScriptedBackend.Answering("another-model", "x"));
        await using var sut = AgentHost.Start(HostedSettings("hosted-1", server));

        var reply = await sut.Client.PostJsonAsync("/v1/chat/completions", Http.Chat("q"));

        Assert.Equal(HttpStatusCode.BadGateway, reply.Status);
        Assert.Contains($"The hosted model '{ServedModel}'", reply.ProblemDetail);
        Assert.Contains("HTTP 404", reply.ProblemDetail);
    }

    [Fact]
    public void HostedBackendWithoutItsApiKeyStopsTheAgentAtStartup()
    {
        var missing = "DISROUTER_TEST_MISSING_KEY_" + Guid.NewGuid().ToString("N");
        var settings = AgentHost.Settings("hosted-1", 0.7, extra:
        [
            new("Agent:Backend", "hosted"),
            new("Agent:Endpoint", "http://127.0.0.1:9/v1"),
            new("Agent:Model", ServedModel),
            new("Agent:ApiKeyEnv", missing),
        ]);

        var error = Record.Exception(() => AgentHost.Start(settings));

        Assert.NotNull(error);
        Assert.Contains($"environment variable {missing}", Messages(error));
    }

    private static async Task<T> Eventually<T>(Func<T?> probe) where T : class
    {
        var deadline = DateTime.UtcNow + TestTimeouts.Request;
        while (DateTime.UtcNow < deadline)
        {
            if (probe() is { } value) return value;
            await Task.Delay(20);
        }
        throw new TimeoutException("The condition did not come true in time.");
    }

    private static string Messages(Exception e) => e.InnerException is null ? e.Message : e.Message + " | " + Messages(e.InnerException);
}
