using DiSRouter.Agents.Backends;
using DiSRouter.Agents.Cascade;
using DiSRouter.Core.Routing;

namespace DiSRouter.Agents.Tests.Cascade;

public sealed class AgentDecisionTests
{
    private static ChatGeneration Generation(string text) => new([new ChatSample(text, FinishReasons.Stop, text.Length)], 3, TimeSpan.Zero);

    [Fact]
    public async Task WatchDecidingAfterOneCharacterStopsAtTheFirstToken()
    {
        var sut = new DecisionWatch(canReject: true, decideAfter: 1, []);

        Assert.False(sut.OnText(0, "I"));
        Assert.False((await sut.Decided).Answers);
        Assert.True(new DecisionWatch(true, 1, []).OnText(0, "Let's"));
    }

    [Fact]
    public async Task WatchStopsAtTheRejectionPhrase()
    {
        var sut = new DecisionWatch(canReject: true, decideAfter: 0, []);
        var reply = "I don't know! more text";

        var stoppedAt = Enumerable.Range(1, reply.Length).First(n => !sut.OnText(0, reply[..n]));

        Assert.Equal("I don't know".Length, stoppedAt);
        Assert.Equal(HopDecision.Reject, (await sut.Decided).HopDecision);
    }

    [Fact]
    public async Task WatchStopsCheckingOnceTheReplyLeftTheRejectionPrefix()
    {
        var sut = new DecisionWatch(canReject: true, decideAfter: 0, []);

        Assert.True(sut.OnText(0, "I d"));
        Assert.True(sut.OnText(0, "I did"));
        // Decided: even a later text that reads like a rejection does not stop the answer.
        Assert.True(sut.OnText(0, "I did. I don't know"));
        Assert.True((await sut.Decided).Answers);
    }

    [Fact]
    public async Task CalibratedVerdictDecidesBeforeAnyTextAndIsTyped()
    {
        var sut = new DecisionWatch(canReject: true, decideAfter: 1, []);

        sut.OnVerdict(new DecisionVerdict(LogitGap: -0.5, Threshold: 0.25));
        var decision = await sut.Decided;

        Assert.False(decision.Answers);
        Assert.Equal(-0.5, decision.Calibrated!.LogitGap);
        Assert.Equal(0.25, decision.Calibrated.Threshold);
    }

    [Fact]
    public async Task CalibratedAnswerIsNotReadBackFromItsText()
    {
        var sut = new DecisionWatch(canReject: true, decideAfter: 1, []);
        sut.OnVerdict(new DecisionVerdict(LogitGap: 2, Threshold: 0.25));

        // An answer that happens to open with "I" is still an answer: the verdict decided, not the words.
        Assert.True(sut.OnText(0, "I think 4"));
        sut.Completed(Generation("I think 4"));

        Assert.True((await sut.Decided).Answers);
        Assert.Equal("I think 4", string.Concat(await sut.Deltas.ReadAllAsync().ToListAsync()));
    }

    [Fact]
    public async Task AnswerTextStreamsAsItComesAndHoldsBackAPossibleStopSequence()
    {
        var sut = new DecisionWatch(canReject: true, decideAfter: 1, ["\n\n"]);

        sut.OnText(0, "Let's");
        sut.OnText(0, "Let's think\n");
        Assert.True(sut.Deltas.TryRead(out var first));
        Assert.Equal("Let's", first);
        Assert.True(sut.Deltas.TryRead(out var second));
        Assert.Equal(" think", second); // the "\n" may begin the stop sequence: held back
        sut.Completed(Generation("Let's think\nend"));

        Assert.Equal("\nend", string.Concat(await sut.Deltas.ReadAllAsync().ToListAsync()));
    }

    [Fact]
    public async Task AnswerOnlyWatchCommitsAtItsFirstTextEvenARejection()
    {
        var sut = new DecisionWatch(canReject: false, decideAfter: 1, []);

        Assert.False(sut.Decided.IsCompleted); // a model that fails before its first token leaves the agent skippable
        Assert.True(sut.OnText(0, "I"));
        Assert.True((await sut.Decided).Answers);
    }

    [Fact]
    public async Task ModelFailureBeforeTheCommitFailsTheDecision()
    {
        var sut = new DecisionWatch(canReject: true, decideAfter: 1, []);

        sut.Failed(new ModelUnavailableException("down"));

        await Assert.ThrowsAsync<ModelUnavailableException>(() => sut.Decided);
    }
}
