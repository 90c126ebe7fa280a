using System.Globalization;
using DiSRouter.Core.Routing;

namespace DiSRouter.Training.NetworkBench;

/// <summary>One request as the client saw it: HTTP status, wall time until the whole body was read, and its routing metadata.</summary>
internal sealed record BenchSample(int Status, double ClientMs, RoutingMetadata? Routing, string? Error = null)
{
    public bool Succeeded => Status == 200 && Routing is not null;

    /// <summary>The answer's text (the first choice's message), which the comparison grades.</summary>
    public string? Answer { get; init; }

    /// <summary>Which of the questions sent this request asked (its index in the list), so its answer is graded against it; −1 when unknown.</summary>
    public int Question { get; init; } = -1;
}

/// <summary>How many values, and their median and 99th percentile (nearest rank).</summary>
internal sealed record Distribution(int Count, double P50, double P99)
{
    public static Distribution? Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? null : new Distribution(sorted.Count, BenchStatistics.Percentile(sorted, 0.50), BenchStatistics.Percentile(sorted, 0.99));
    }
}

/// <summary>
/// Rejection time as a share of answering time: mean model time of the agent's reject hops over the mean of its
/// answer hops (the paper reports under 5 %). Null when either side has too few hops to say anything.
/// </summary>
/// <param name="RejectMs">Mean model time of a reject hop, when there are enough of both.</param>
/// <param name="AnswerMs">Mean model time of an answer hop, likewise.</param>
/// <param name="RejectP50">Median model time of a reject hop: beside the mean, it tells a slow tail (a preempted or
/// cold call) from a slow typical call.</param>
/// <param name="AnswerP50">Median model time of an answer hop.</param>
/// <param name="RejectPromptTokens">Mean prompt length of the reject hops (when every hop reported it): a rejection is a
/// prompt pass, and the questions an agent declines need not be as long as those it answers.</param>
/// <param name="AnswerPromptTokens">Mean prompt length of the answer hops.</param>
/// <param name="AnswerCompletionTokens">Mean tokens an answer hop generated.</param>
/// <param name="AnswerFirstTokenMs">Mean model time of the answer hops until their first token: what rejecting those same
/// prompts would have cost (a rejection is the prompt pass and one token).</param>
internal sealed record RejectionShare(double? Value, int Rejections, int Answers, double? RejectMs = null, double? AnswerMs = null,
    double? RejectP50 = null, double? AnswerP50 = null, double? RejectPromptTokens = null, double? AnswerPromptTokens = null,
    double? AnswerCompletionTokens = null, double? AnswerFirstTokenMs = null)
{
    /// <summary>
    /// The rejection share on equal prompts: the answer hops' own time to the first token over their whole model time.
    /// The measured share compares different questions (the declined ones are often the longer); this one does not.
    /// </summary>
    public double? SamePromptValue => AnswerFirstTokenMs is { } f && AnswerMs is { } a && a > 0 ? f / a : null;

    public string Text => Value is { } v
        ? (RejectMs is { } r && AnswerMs is { } a
            ? string.Create(CultureInfo.InvariantCulture, $"{v * 100:0.0} % ({r:0.000} / {a:0.000} ms{(RejectP50 is { } r50 && AnswerP50 is { } a50 ? $"; medians {r50:0.000} / {a50:0.000}" : "")}{Tokens})")
            : $"{v * 100:0.0} %")
        : Rejections < BenchStatistics.MinDecisions ? $"n/a ({Rejections} rejections)" : $"n/a ({Answers} answers)";

    private string Tokens => RejectPromptTokens is { } rp && AnswerPromptTokens is { } ap
        ? string.Create(CultureInfo.InvariantCulture,
            $"; prompts {rp:0} / {ap:0} tokens{(AnswerCompletionTokens is { } ac ? $", answers {ac:0} tokens" : "")}{SamePrompt}")
        : "";

    private string SamePrompt => SamePromptValue is { } s
        ? string.Create(CultureInfo.InvariantCulture, $"; on the answered prompts {s * 100:0.0} %")
        : "";
}

internal sealed record AgentFigures(string Agent, int Answers, int Rejections, int Unreachable, Distribution? Overhead, RejectionShare Share);

/// <summary>Every figure of one concurrency level.</summary>
internal sealed record LevelResult(
    int Concurrency,
    int Sent,
    int Succeeded,
    string? FirstError,
    double Seconds,
    double RequestsPerSecond,
    Distribution? Client,
    Distribution? Gateway,
    Distribution? BetweenHops,
    Distribution? AllHops,
    Distribution? RoutingPerHop,
    IReadOnlyList<AgentFigures> Agents);

internal static class BenchStatistics
{
    /// <summary>Fewer rejections (or answers) than this and a rejection share would be noise: it is reported as n/a.</summary>
    public const int MinDecisions = 5;

    /// <summary>Nearest rank: the smallest value with at least q of the values at or below it (always a measured value).</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double q)
    {
        if (sorted.Count == 0) throw new ArgumentException("No values.", nameof(sorted));
        var rank = (int)Math.Ceiling(q * sorted.Count);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }

    /// <summary>
    /// What each hop's own routing code cost: latency_ms − model_ms. A reject hop's latency_ms already leaves out the
    /// successors (CascadeAgent sets it to the request's time minus the time spent forwarding), so nothing more is
    /// subtracted; an unreachable hop is time spent trying a successor, not an agent's own work, and is left out.
    /// </summary>
    public static IEnumerable<(string Agent, double OverheadMs)> HopOverheads(RoutingMetadata routing) =>
        DecidedHops(routing).Select(x => (x.Agent, x.OverheadMs));

    /// <summary>The hops that decided (answer or reject), with their place in the path and their own code's time.</summary>
    private static IEnumerable<(int Index, string Agent, double OverheadMs)> DecidedHops(RoutingMetadata routing) =>
        routing.Path.Select((h, i) => (h, i))
            .Where(x => x.h.Decision is HopDecision.Answer or HopDecision.Reject)
            .Select(x => (x.i, x.h.Agent, x.h.LatencyMs - x.h.ModelMs));

    /// <summary>The gateway's share: what the client waited minus the entry agent's wall time (successors included).</summary>
    public static double GatewayOverheadMs(BenchSample sample) => sample.ClientMs - sample.Routing!.LatencyMs;

    /// <summary>
    /// Time outside every hop's own clock, per forward: the agent-to-agent HTTP calls (serialising, loopback, Kestrel,
    /// parsing the reply). The entry agent's wall time minus the sum of the path's hop latencies, over the number of
    /// forwards (hops after the first, unreachable attempts included); null when nothing was forwarded.
    /// </summary>
    public static double? BetweenHopsMs(RoutingMetadata routing) =>
        routing.Path.Count < 2 ? null : (routing.LatencyMs - routing.Path.Sum(h => h.LatencyMs)) / (routing.Path.Count - 1);

    /// <summary>
    /// The routing cost of each hop that decided: its own code (<see cref="HopOverheads"/>) plus, for every hop after the
    /// entry one, the call that brought the request to it (this request's <see cref="BetweenHopsMs"/>). What the network
    /// adds per hop, model time excluded; the figure the 2 ms target is checked on.
    /// </summary>
    public static IEnumerable<double> RoutingPerHopMs(RoutingMetadata routing)
    {
        var transport = BetweenHopsMs(routing) ?? 0;
        return DecidedHops(routing).Select(x => x.OverheadMs + (x.Index > 0 ? transport : 0));
    }

    public static RejectionShare ShareOf(IReadOnlyList<Hop> hops)
    {
        var rejectHops = hops.Where(h => h.Decision == HopDecision.Reject).ToList();
        var answerHops = hops.Where(h => h.Decision == HopDecision.Answer).ToList();
        var rejects = rejectHops.Select(h => h.ModelMs).ToList();
        var answers = answerHops.Select(h => h.ModelMs).ToList();
        if (rejects.Count < MinDecisions || answers.Count < MinDecisions || !(answers.Average() > 0))
            return new RejectionShare(null, rejects.Count, answers.Count);
        double rejectMs = rejects.Average(), answerMs = answers.Average();
        return new RejectionShare(rejectMs / answerMs, rejects.Count, answers.Count, rejectMs, answerMs,
            Distribution.Of(rejects)!.P50, Distribution.Of(answers)!.P50,
            MeanWhereKnown(rejectHops, h => h.PromptTokens), MeanWhereKnown(answerHops, h => h.PromptTokens),
            MeanWhereKnown(answerHops, h => h.CompletionTokens), MeanWhereKnown(answerHops, h => h.FirstTokenMs));
    }

    // The mean of a figure every hop reported; null if any hop left it out (an agent of an older build, a hosted one).
    private static double? MeanWhereKnown(List<Hop> hops, Func<Hop, double?> value) =>
        hops.All(h => value(h) is not null) ? hops.Average(h => value(h)!.Value) : null;

    /// <param name="agents">The launched agents in cascade order; agents seen only in paths are appended.</param>
    public static LevelResult Summarise(int concurrency, IReadOnlyList<BenchSample> samples, TimeSpan wall, IReadOnlyList<string> agents)
    {
        var ok = samples.Where(s => s.Succeeded).ToList();
        var hops = ok.SelectMany(s => s.Routing!.Path).ToList();
        var names = agents.Concat(hops.Select(h => h.Agent)).Distinct(StringComparer.Ordinal).ToList();
        var overheads = ok.SelectMany(s => HopOverheads(s.Routing!)).ToList();

        var perAgent = names.Select(name =>
        {
            var own = hops.Where(h => h.Agent == name).ToList();
            return new AgentFigures(name,
                own.Count(h => h.Decision == HopDecision.Answer),
                own.Count(h => h.Decision == HopDecision.Reject),
                own.Count(h => h.Decision == HopDecision.Unreachable),
                Distribution.Of(overheads.Where(o => o.Agent == name).Select(o => o.OverheadMs)),
                ShareOf(own));
        }).ToList();

        var seconds = wall.TotalSeconds;
        return new LevelResult(
            concurrency,
            samples.Count,
            ok.Count,
            samples.FirstOrDefault(s => !s.Succeeded) is { } failed ? $"HTTP {failed.Status}: {failed.Error}" : null,
            seconds,
            seconds > 0 ? ok.Count / seconds : 0,
            Distribution.Of(ok.Select(s => s.ClientMs)),
            Distribution.Of(ok.Select(GatewayOverheadMs)),
            Distribution.Of(ok.Select(s => BetweenHopsMs(s.Routing!)).OfType<double>()),
            Distribution.Of(overheads.Select(o => o.OverheadMs)),
            Distribution.Of(ok.SelectMany(s => RoutingPerHopMs(s.Routing!))),
            perAgent);
    }
}
