using System.Net;
using System.Text.Json;
using System.Threading.Channels;
using DiSRouter.Agents.Backends;
using DiSRouter.Agents.Cascade;
using DiSRouter.Agents.Tests.Support;
using DiSRouter.Core.Routing;
using DiSRouter.Core.Scenarios;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DiSRouter.Agents.Tests.Backends;

/// <summary>The real engine behind an agent: a tiny random checkpoint on disk, loaded, run, stopped and reloaded.</summary>
public sealed class LocalCheckpointBackendTests : IDisposable
{
    private readonly TinyCheckpoint _checkpoint = new();

    public void Dispose() => _checkpoint.Dispose();

    private AgentHost StartAgent(int maxConcurrency = 2) =>
        AgentHost.Start(AgentHost.Settings("agent-local", 0.2, extra:
        [
            new("Agent:Backend", "local"),
            new("Agent:Checkpoint", _checkpoint.Directory),
            new("Agent:MaxConcurrency", maxConcurrency.ToString()),
            new("Agent:ReloadDebounceMilliseconds", "100"),
        ]));

    private static LocalCheckpointBackend Backend(AgentHost host) =>
        Assert.IsType<LocalCheckpointBackend>(host.Services.GetRequiredService<IChatBackend>());

    [Fact]
    public async Task RawEndpointServesTheCheckpointsGreedyReply()
    {
        var model = _checkpoint.Save(seed: 1);
        await using var sut = StartAgent();

        var reply = await sut.Client.PostJsonAsync("/raw/v1/chat/completions", Http.Chat("hello", "\"max_tokens\":12"));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("nano-test", reply.Completion.Model);
        Assert.Equal(TinyCheckpoint.GreedyReply(model, "hello", 12), reply.Content);
        Assert.InRange(reply.Completion.Usage!.CompletionTokens, 1, 12);
        Assert.True(reply.Completion.Usage.PromptTokens > "hello".Length);
    }

    [Fact]
    public async Task LastAgentOnARealCheckpointAnswersWithTheAnswerTemplate()
    {
        _checkpoint.Save(seed: 1);
        await using var sut = StartAgent();

        var reply = await sut.Client.PostJsonAsync("/v1/chat/completions", Http.Chat("What is 3 + 4?", "\"max_tokens\":16"));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.StartsWith(AgentPrompts.AnswerPrefix, reply.Content);
        var hop = Assert.Single(reply.Routing.Path);
        Assert.Equal(("agent-local", "nano-test", HopDecision.Answer), (hop.Agent, hop.Model, hop.Decision));
        Assert.True(hop.ModelMs > 0);
        // The prompt pass and the first token, inside the whole call: what rejecting this prompt would have cost.
        Assert.InRange(hop.FirstTokenMs!.Value, 0, hop.ModelMs);
        Assert.True(hop.FirstTokenMs > 0);
        Assert.True(hop.PromptTokens > "What is 3 + 4?".Length);
        Assert.InRange(hop.CompletionTokens!.Value, 1, 16);
    }

    [Fact]
    public async Task GenerationStopsAsSoonAsTheCallerSaysSo()
    {
        _checkpoint.Save(seed: 1);
        await using var host = StartAgent();
        var sut = Backend(host);
        var calls = 0;

        var generation = await sut.GenerateAsync(ChatPrompt.Single(ScenarioPrompt.BalanceText, "q"),
            new GenerationSettings { MaxNewTokens = 64 }, (_, _) => ++calls < 3, CancellationToken.None).WaitAsync(TestTimeouts.Request);

        var sample = Assert.Single(generation.Samples);
        Assert.Equal("aborted", sample.FinishReason);
        Assert.Equal(3, sample.CompletionTokens);
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task CheckpointReloadsWhenItsFilesChange()
    {
        var first = _checkpoint.Save(seed: 1);
        await using var host = StartAgent();
        var sut = Backend(host);
        var reloaded = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        sut.Reloaded += g => reloaded.TrySetResult(g);
        var before = await host.Client.PostJsonAsync("/raw/v1/chat/completions", Http.Chat("hello", "\"max_tokens\":12"));

        var second = _checkpoint.Save(seed: 2);
        var generation = await reloaded.Task.WaitAsync(TestTimeouts.Request);
        var after = await host.Client.PostJsonAsync("/raw/v1/chat/completions", Http.Chat("hello", "\"max_tokens\":12"));

        Assert.Equal(2, generation);
        Assert.Equal(TinyCheckpoint.GreedyReply(first, "hello", 12), before.Content);
        Assert.Equal(TinyCheckpoint.GreedyReply(second, "hello", 12), after.Content);
        Assert.NotEqual(before.Content, after.Content);
    }

    [Fact]
    public async Task CheckpointThatFailsToLoadLeavesTheOldModelServing()
    {
        var first = _checkpoint.Save(seed: 1);
        await using var host = StartAgent();
        var sut = Backend(host);
        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        sut.ReloadFailed += () => failed.TrySetResult();

        await File.WriteAllTextAsync(Path.Combine(_checkpoint.Directory, "config.json"), "{ not json");
        await failed.Task.WaitAsync(TestTimeouts.Request);
        var reply = await host.Client.PostJsonAsync("/raw/v1/chat/completions", Http.Chat("hello", "\"max_tokens\":12"));

        Assert.Equal(1, sut.Generation);
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(TinyCheckpoint.GreedyReply(first, "hello", 12), reply.Content);
    }

    [Fact]
    public async Task CheckpointNamesTheFingerprintOfTheWeightsItServes()
    {
        var model = _checkpoint.Save(seed: 1);
        await using var host = StartAgent();

        using var status = JsonDocument.Parse(await host.Client.GetStringAsync("/checkpoint").WaitAsync(TestTimeouts.Request));

        Assert.Equal(DiSRouter.Models.Checkpoints.WeightsFingerprint.Of(model), status.RootElement.GetProperty("weights_sha256").GetString());
    }

    [Fact]
    public async Task AFailedReloadIsReportedInHealthAndAtCheckpointUntilAGoodOneLoads()
    {
        _checkpoint.Save(seed: 1);
        await using var host = StartAgent();
        var sut = Backend(host);
        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reloaded = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        sut.ReloadFailed += () => failed.TrySetResult();
        sut.Reloaded += g => reloaded.TrySetResult(g);
        Assert.Equal("Healthy", await host.Client.GetStringAsync("/health"));

        await File.WriteAllTextAsync(Path.Combine(_checkpoint.Directory, "config.json"), "{ not json");
        await failed.Task.WaitAsync(TestTimeouts.Request);

        Assert.Equal("Degraded", await host.Client.GetStringAsync("/health")); // HTTP 200: the gateway keeps routing here
        using (var status = JsonDocument.Parse(await host.Client.GetStringAsync("/checkpoint")))
        {
            Assert.Equal(1, status.RootElement.GetProperty("generation").GetInt32());
            Assert.Equal(Path.GetFullPath(_checkpoint.Directory), status.RootElement.GetProperty("directory").GetString());
            var reason = status.RootElement.GetProperty("reload_failure").GetProperty("reason").GetString()!;
            Assert.Contains("config.json", reason);
        }
        var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Contains("failed to load", health.Entries["model"].Description);
        Assert.Contains("config.json", health.Entries["model"].Description);

        _checkpoint.Save(seed: 2);
        Assert.Equal(2, await reloaded.Task.WaitAsync(TestTimeouts.Request));

        Assert.Equal("Healthy", await host.Client.GetStringAsync("/health"));
        using var after = JsonDocument.Parse(await host.Client.GetStringAsync("/checkpoint"));
        Assert.Equal(JsonValueKind.Null, after.RootElement.GetProperty("reload_failure").ValueKind);
        Assert.Equal(2, after.RootElement.GetProperty("generation").GetInt32());
    }

    [Fact]
    public async Task CheckpointReloadsWhenItsWholeDirectoryIsSwappedForANewOneAndKeepsWatchingTheNewOne()
    {
        _checkpoint.Save(seed: 1);
        await using var host = StartAgent(); // file events only (the test hosts' poll is off): the poll would find the change anyway
        var sut = Backend(host);
        var generations = Channel.CreateUnbounded<int>();
        sut.Reloaded += g => generations.Writer.TryWrite(g);

        // What a publish does on a file system without RENAME_EXCHANGE (with it, the same in one step): a new folder under the name.
        var fresh = new TinyCheckpoint();
        var second = fresh.Save(seed: 2);
        System.IO.Directory.Move(_checkpoint.Directory, _checkpoint.Directory + ".old");
        System.IO.Directory.Move(fresh.Directory, _checkpoint.Directory);
        Assert.Equal(2, await generations.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Request));
        var reply = await host.Client.PostJsonAsync("/raw/v1/chat/completions", Http.Chat("hello", "\"max_tokens\":12"));
        Assert.Equal(TinyCheckpoint.GreedyReply(second, "hello", 12), reply.Content);

        // The watch moved to the new folder: a save into it is seen too.
        var third = _checkpoint.Save(seed: 3);
        Assert.Equal(3, await generations.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Request));
        reply = await host.Client.PostJsonAsync("/raw/v1/chat/completions", Http.Chat("hello", "\"max_tokens\":12"));
        Assert.Equal(TinyCheckpoint.GreedyReply(third, "hello", 12), reply.Content);
        fresh.Dispose();
    }

    [Fact]
    public async Task GenerationsRunSideBySideUpToTheConcurrencyLimit()
    {
        _checkpoint.Save(seed: 1);
        await using var host = StartAgent(maxConcurrency: 2);
        var sut = Backend(host);
        using var bothInside = new Barrier(2);
        var met = new bool[2];

        // Each generation waits at its first token until the other one is inside too: one global lock would
        // keep the second out and the barrier would time out.
        var runs = Enumerable.Range(0, 2).Select(i => sut.GenerateAsync(ChatPrompt.Single(null, "q"),
            new GenerationSettings { MaxNewTokens = 4 },
            (_, _) => { if (!met[i]) met[i] = bothInside.SignalAndWait(TestTimeouts.Request); return true; },
            CancellationToken.None)).ToArray();
        await Task.WhenAll(runs).WaitAsync(TestTimeouts.Request * 2);

        Assert.Equal([true, true], met);
    }

    [Fact]
    public async Task RequestsBeyondTheLimitWaitInLineAndAreNotDropped()
    {
        _checkpoint.Save(seed: 1);
        await using var host = StartAgent(maxConcurrency: 1);
        var sut = Backend(host);
        using var release = new ManualResetEventSlim();
        var secondStarted = false;

        var first = sut.GenerateAsync(ChatPrompt.Single(null, "q"), new GenerationSettings { MaxNewTokens = 4 },
            (_, _) => release.Wait(TestTimeouts.Request), CancellationToken.None);
        var second = sut.GenerateAsync(ChatPrompt.Single(null, "q"), new GenerationSettings { MaxNewTokens = 4 },
            (_, _) => secondStarted = true, CancellationToken.None);
        await Task.Delay(300);
        var startedWhileFirstRan = secondStarted;
        release.Set();
        var results = await Task.WhenAll(first, second).WaitAsync(TestTimeouts.Request);

        Assert.False(startedWhileFirstRan);
        Assert.All(results, r => Assert.NotEmpty(r.Samples[0].Text));
    }

    [Theory]
    [InlineData(2, 2, 1)]     // the default: one generation per core, each on one thread
    [InlineData(16, 4, 4)]
    [InlineData(8, 1, 8)]     // one generation at a time gets every core
    [InlineData(2, 8, 1)]     // more generations than cores still get a thread each
    public void ConcurrentGenerationsShareTheCoresOut(int processors, int maxConcurrency, int threads) =>
        Assert.Equal(threads, LocalCheckpointBackend.EngineThreadsPerGeneration(processors, maxConcurrency));

    [Fact]
    public void MissingCheckpointStopsTheAgentAtStartupWithTheDirectoryNamed()
    {
        var error = Record.Exception(() => StartAgent());

        Assert.NotNull(error);
        Assert.Contains(_checkpoint.Directory, error.ToString());
    }

    [Fact]
    public async Task PromptLongerThanTheContextIsRefusedWith400()
    {
        _checkpoint.Save(seed: 1);
        await using var sut = StartAgent();

        var reply = await sut.Client.PostJsonAsync("/raw/v1/chat/completions", Http.Chat(new string('x', 600)));

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Contains("context holds 512", reply.ProblemDetail);
    }
}

/// <summary>A checkpoint trained to reject, serving as the first agent of a real cascade.</summary>
public sealed class TrainedRejecterTests : IDisposable
{
    private readonly TinyCheckpoint _checkpoint = new();

    public void Dispose() => _checkpoint.Dispose();

    [Theory]
    [InlineData(null, 1)] // a local checkpoint's default: its first token, "I", is the decision
    [InlineData("0", 12)] // the whole phrase "I don't know", never the "!" and <|eos|>
    [InlineData("3", 3)]
    public async Task TrainedCheckpointRejectsAsSoonAsItsDecisionIsReadAndForwards(string? decideAfter, int paidTokens)
    {
        var model = TrainedRejecter.Train();
        Assert.Equal(ScenarioPrompt.RejectText, TrainedRejecter.Reply(model)); // the premise: the model rejects this query
        TrainedRejecter.Save(_checkpoint.Directory, model);
        var last = ScriptedBackend.Answering("nano-2", " forty-two.");
        await using var next = AgentHost.Start(AgentHost.Settings("agent-2", 0.9), last);
        await using var sut = AgentHost.Start(AgentHost.Settings("agent-1", 0.1, ["agent-2"],
        [
            new("Agent:Backend", "local"),
            new("Agent:Checkpoint", _checkpoint.Directory),
            new("Agent:RejectionDecidedAfter", decideAfter),
            .. Apis.CascadeNetwork.Discovery(("agent-2", next)),
        ]));

        var reply = await sut.Client.PostJsonAsync("/v1/chat/completions", Http.Chat(TrainedRejecter.Query));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal([HopDecision.Reject, HopDecision.Answer], reply.Routing.Path.Select(h => h.Decision));
        Assert.Equal("agent-2", reply.Routing.AnsweredBy);
        // Usage = agent-1's tokens + agent-2's: agent-1 paid only for the tokens that made its decision.
        var answered = Assert.Single(last.Calls).Samples[0].CompletionTokens;
        Assert.Equal(paidTokens, reply.Completion.Usage!.CompletionTokens - answered);
    }
}
