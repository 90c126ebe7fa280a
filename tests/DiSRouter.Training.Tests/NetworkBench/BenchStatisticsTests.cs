using DiSRouter.Training.NetworkBench;
using DiSRouter.Core.Routing;

namespace DiSRouter.Training.Tests.NetworkBench;

/// <summary>The arithmetic behind the figures, on hand-made paths whose answers are known.</summary>
public sealed class BenchStatisticsTests
{
    private static Hop Hop(string agent, string decision, double latencyMs, double modelMs) =>
        new() { Agent = agent, Model = agent + "-model", Decision = decision, LatencyMs = latencyMs, ModelMs = modelMs };

    private static Hop Counted(Hop hop, int? promptTokens, int? completionTokens, double? firstTokenMs = null)
    {
        hop.PromptTokens = promptTokens;
        hop.CompletionTokens = completionTokens;
        hop.FirstTokenMs = firstTokenMs;
        return hop;
    }

    private static RoutingMetadata Routing(double totalMs, params Hop[] path) => new() { LatencyMs = totalMs, Path = [.. path] };

    [Fact]
    public void RejectHopOverheadExcludesSuccessorTime()
    {
        // agent-1 rejected after 3 ms of model time in a 3.5 ms hop; agent-2 then took 100 ms. The agent already leaves
        // the successor's time out of the reject hop's latency_ms, so it must not be subtracted a second time.
        var routing = Routing(104.5, Hop("agent-1", HopDecision.Reject, 3.5, 3.0), Hop("agent-2", HopDecision.Answer, 100.25, 99.5));

        var sut = BenchStatistics.HopOverheads(routing).ToList();

        Assert.Equal([("agent-1", 0.5), ("agent-2", 0.75)], sut);
    }

    [Fact]
    public void UnreachableHopsAreNotCountedAsRoutingOverhead()
    {
        var routing = Routing(60,
            Hop("agent-1", HopDecision.Reject, 4, 3),
            Hop("agent-2", HopDecision.Unreachable, 2, 0),
            Hop("agent-1", HopDecision.Answer, 53, 51));

        var sut = BenchStatistics.HopOverheads(routing).ToList();

        Assert.Equal([("agent-1", 1.0), ("agent-1", 2.0)], sut);
    }

    [Fact]
    public void GatewayOverheadIsWhatTheClientWaitedMinusTheEntryAgentsWallTime()
    {
        var sample = new BenchSample(200, 110, Routing(104.5, Hop("agent-1", HopDecision.Answer, 104.5, 100)));

        Assert.Equal(5.5, BenchStatistics.GatewayOverheadMs(sample), 9);
    }

    [Fact]
    public void BetweenHopsIsTheTimeOutsideEveryHopsClockPerForward()
    {
        var forwarded = Routing(105, Hop("agent-1", HopDecision.Reject, 3.5, 3), Hop("agent-2", HopDecision.Answer, 100, 99));
        var twice = Routing(111, Hop("agent-1", HopDecision.Reject, 3.5, 3), Hop("agent-2", HopDecision.Reject, 4.5, 4),
            Hop("agent-3", HopDecision.Answer, 100, 99));
        var answeredAtEntry = Routing(50, Hop("agent-1", HopDecision.Answer, 50, 49));

        Assert.Equal(1.5, BenchStatistics.BetweenHopsMs(forwarded)!.Value, 9);
        Assert.Equal(1.5, BenchStatistics.BetweenHopsMs(twice)!.Value, 9);
        Assert.Null(BenchStatistics.BetweenHopsMs(answeredAtEntry));
    }

    [Fact]
    public void RoutingPerHopAddsTheCallThatReachedEachHopButNotTheEntryOne()
    {
        // 3 ms outside the hops' clocks over two forwards: 1.5 ms a call.
        var routing = Routing(111, Hop("agent-1", HopDecision.Reject, 3.5, 3), Hop("agent-2", HopDecision.Reject, 4.5, 4),
            Hop("agent-3", HopDecision.Answer, 100, 99));

        Assert.Equal([0.5, 2.0, 2.5], BenchStatistics.RoutingPerHopMs(routing).Select(v => Math.Round(v, 9)));
    }

    [Fact]
    public void PercentilesAreNearestRankValues()
    {
        var values = Enumerable.Range(1, 100).Select(i => (double)i).ToList();

        Assert.Equal(50, BenchStatistics.Percentile(values, 0.50));
        Assert.Equal(99, BenchStatistics.Percentile(values, 0.99));
        Assert.Equal(7, BenchStatistics.Percentile([7], 0.99));
        Assert.Equal(new Distribution(3, 2, 3), Distribution.Of([3, 1, 2]));
        Assert.Null(Distribution.Of([]));
    }

    [Fact]
    public void RejectionShareIsTheRatioOfMeanModelTimes()
    {
        var hops = Enumerable.Range(0, 5).Select(_ => Hop("agent-1", HopDecision.Reject, 3, 2))
            .Concat(Enumerable.Range(0, 5).Select(i => Hop("agent-1", HopDecision.Answer, 41, i % 2 == 0 ? 30 : 50)))
            .ToList();

        var sut = BenchStatistics.ShareOf(hops);

        Assert.Equal(2.0 / 38.0, sut.Value!.Value, 9);
        Assert.Equal((2.0, 38.0), (sut.RejectMs!.Value, sut.AnswerMs!.Value));
        Assert.Equal((2.0, 30.0), (sut.RejectP50!.Value, sut.AnswerP50!.Value)); // three of the five answers took 30 ms
        Assert.Equal("5.3 % (2.000 / 38.000 ms; medians 2.000 / 30.000)", sut.Text);
    }

    [Fact]
    public void RejectionShareSaysHowLongThePromptsOfEachKindOfHopWere()
    {
        var hops = Enumerable.Range(0, 5).Select(i => Counted(Hop("agent-1", HopDecision.Reject, 3, 2), 100 + i, 1))
            .Concat(Enumerable.Range(0, 5).Select(i => Counted(Hop("agent-1", HopDecision.Answer, 41, 40), 50, 70 + 5 * i, firstTokenMs: 1 + i % 2)))
            .ToList();

        var sut = BenchStatistics.ShareOf(hops);

        Assert.Equal((102.0, 50.0, 80.0), (sut.RejectPromptTokens!.Value, sut.AnswerPromptTokens!.Value, sut.AnswerCompletionTokens!.Value));
        // The answers reached their first token in 1.4 ms on average: rejecting their prompts would have cost 3.5 % of them.
        Assert.Equal(1.4, sut.AnswerFirstTokenMs!.Value, 9);
        Assert.Equal(1.4 / 40, sut.SamePromptValue!.Value, 9);
        Assert.Equal("5.0 % (2.000 / 40.000 ms; medians 2.000 / 40.000; prompts 102 / 50 tokens, answers 80 tokens; on the answered prompts 3.5 %)", sut.Text);
    }

    [Fact]
    public void PromptLengthsAreLeftOutWhenAHopDidNotReportOne()
    {
        // An agent of an older build (or one whose backend does not count) leaves the fields out of its hops.
        var hops = Enumerable.Range(0, 5).Select(i => Counted(Hop("agent-1", HopDecision.Reject, 3, 2), i == 0 ? null : 100, 1))
            .Concat(Enumerable.Range(0, 5).Select(_ => Counted(Hop("agent-1", HopDecision.Answer, 41, 40), 50, 70)))
            .ToList();

        var sut = BenchStatistics.ShareOf(hops);

        Assert.Null(sut.RejectPromptTokens);
        Assert.Null(sut.SamePromptValue);
        Assert.Equal("5.0 % (2.000 / 40.000 ms; medians 2.000 / 40.000)", sut.Text);
    }

    [Fact]
    public void RejectionShareIsNotAvailableWithAHandfulOfRejections()
    {
        var hops = Enumerable.Range(0, 2).Select(_ => Hop("agent-1", HopDecision.Reject, 3, 2))
            .Concat(Enumerable.Range(0, 30).Select(_ => Hop("agent-1", HopDecision.Answer, 41, 40)))
            .ToList();

        var sut = BenchStatistics.ShareOf(hops);

        Assert.Null(sut.Value);
        Assert.Equal("n/a (2 rejections)", sut.Text);
        Assert.Equal("n/a (0 answers)", BenchStatistics.ShareOf([.. Enumerable.Range(0, 9).Select(_ => Hop("a", HopDecision.Reject, 3, 2))]).Text);
    }

    [Fact]
    public void SummaryCountsOnlyAnsweredRequestsAndKeepsTheCascadeOrder()
    {
        List<BenchSample> samples =
        [
            new(200, 10, Routing(8, Hop("agent-2", HopDecision.Answer, 8, 7))),
            new(200, 20, Routing(18, Hop("agent-1", HopDecision.Reject, 2, 1), Hop("agent-2", HopDecision.Answer, 15, 14))),
            new(429, 1, null, "rate limited"),
        ];

        var sut = BenchStatistics.Summarise(4, samples, TimeSpan.FromSeconds(2), ["agent-1", "agent-2"]);

        Assert.Equal((3, 2), (sut.Sent, sut.Succeeded));
        Assert.Equal(1.0, sut.RequestsPerSecond, 9);
        Assert.Equal("HTTP 429: rate limited", sut.FirstError);
        Assert.Equal(["agent-1", "agent-2"], sut.Agents.Select(a => a.Agent));
        Assert.Equal((0, 1), (sut.Agents[0].Answers, sut.Agents[0].Rejections));
        Assert.Equal(3, sut.AllHops!.Count);
        Assert.Equal(1, sut.BetweenHops!.Count);
        Assert.Equal(3, sut.RoutingPerHop!.Count);
    }
}
