using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DiSRouter.Core.Tasks;
using DiSRouter.Core.Tasks.Grading;

namespace DiSRouter.Training.NetworkBench;

/// <summary>How many of a method's answered requests one agent answered, and that as a share of them.</summary>
internal sealed record AnswerCount(string Agent, int Answers, double Share);

/// <summary>
/// One way of answering the compared questions at one α (the cascade, Self-Route, the largest agent alone): what the
/// client saw end to end, the answers graded by each question's own grader, the cost charged, the central router's own
/// time where there is one, and who answered. <see cref="Off"/> says why the method could not be asked at all.
/// </summary>
internal sealed record MethodFigures(
    double Alpha,
    string Method,
    int Sent,
    int Succeeded,
    string? FirstError,
    int Correct,
    double? MeanCost,
    Distribution? Client,
    Distribution? RouterMs,
    IReadOnlyList<AnswerCount> AnsweredBy,
    string? Off = null)
{
    /// <summary>Correct answers over answered requests (a failed request has no answer to grade; <see cref="Succeeded"/> shows how many failed).</summary>
    public double? Accuracy => Succeeded > 0 ? (double)Correct / Succeeded : null;

    /// <summary>What the system maximises: accuracy − α · mean cost.</summary>
    public double? Utility => Accuracy is { } a && MeanCost is { } c ? a - Alpha * c : null;

    public static MethodFigures Unavailable(double alpha, string method, string reason) => new(alpha, method, 0, 0, null, 0, null, null, null, [], reason);
}

/// <summary>
/// The bench's last part: the same questions, one at a time, through the cascade, through the router modes (the
/// gateway's Self-Route and bids, the agents' own auction) and to the largest agent alone, at each scenario's α. The figures per method (<see cref="Of"/>), as a markdown table
/// that reads the same on a terminal, and as JSON lines.
/// </summary>
internal static class Comparison
{
    public const string Cascade = "cascade";
    public const string SelfRoute = "self-route";
    public const string Bids = "bids";
    public const string Auction = "auction";

    public static string Alone(string largest) => largest + " alone";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <param name="items">The questions the samples' <see cref="BenchSample.Question"/> index into.</param>
    /// <param name="agents">The launched agents in cascade order; an agent seen only in answers is appended.</param>
    public static MethodFigures Of(double alpha, string method, IReadOnlyList<BenchSample> samples, IReadOnlyList<TaskItem> items, IReadOnlyList<string> agents)
    {
        var ok = samples.Where(s => s.Succeeded).ToList();
        var correct = ok.Count(s => s.Question >= 0 && s.Question < items.Count && Grader.IsCorrect(items[s.Question], s.Answer));
        var answerers = ok.Select(s => s.Routing!.AnsweredBy ?? "(none)").ToList();
        var answeredBy = agents.Concat(answerers).Distinct(StringComparer.Ordinal)
            .Select(a => (Agent: a, Answers: answerers.Count(x => x == a)))
            .Select(x => new AnswerCount(x.Agent, x.Answers, ok.Count > 0 ? (double)x.Answers / ok.Count : 0))
            .ToList();
        return new MethodFigures(
            alpha,
            method,
            samples.Count,
            ok.Count,
            samples.FirstOrDefault(s => !s.Succeeded) is { } failed ? $"HTTP {failed.Status}: {failed.Error}" : null,
            correct,
            ok.Count > 0 ? ok.Average(s => s.Routing!.Cost) : null,
            Distribution.Of(ok.Select(s => s.ClientMs)),
            Distribution.Of(ok.Where(s => s.Routing!.Router is not null).Select(s => s.Routing!.Router!.RouterMs)),
            answeredBy);
    }

    // ---- markdown --------------------------------------------------------------------------------------------------

    /// <summary>Per α, one row per method (the largest agent alone last: the p50 ratios are to it), then who answered.</summary>
    public static string Markdown(IReadOnlyList<MethodFigures> rows, string largest)
    {
        var sb = new StringBuilder();
        var alone = Alone(largest);
        sb.AppendLine().AppendLine(Inv, $"### Cascade, the gateway's router modes and {alone} (the same questions, one at a time, client-side end-to-end)").AppendLine();
        foreach (var (method, reason) in rows.Where(r => r.Off is not null).Select(r => (r.Method, r.Off!)).Distinct())
            sb.AppendLine(Inv, $"{method} is off on this network, so it has no figures: {reason}").AppendLine();
        sb.AppendLine(Inv, $"| α | method | answered | accuracy | mean cost | utility | p50 / p99 ms | p50 / {alone}'s | router_ms p50 / p99 |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---|---:|---|");
        foreach (var group in rows.GroupBy(r => r.Alpha))
        {
            var reference = group.FirstOrDefault(r => r.Method == alone)?.Client;
            foreach (var r in group)
                sb.AppendLine(r.Off is not null
                    ? string.Create(Inv, $"| {r.Alpha:0.0} | {r.Method} | off | - | - | - | - | - | - |")
                    : string.Create(Inv, $"| {r.Alpha:0.0} | {r.Method} | {r.Succeeded}/{r.Sent} | {Num(r.Accuracy)} | {Num(r.MeanCost)} | {Num(r.Utility)} | {Pair(r.Client, "0.0")} | {Ratio(r.Client, reference)} | {Pair(r.RouterMs, "0.000")} |"));
        }

        var agents = rows.SelectMany(r => r.AnsweredBy.Select(a => a.Agent)).Distinct(StringComparer.Ordinal).ToList();
        sb.AppendLine().AppendLine("Who answered (share of each method's answered requests):").AppendLine();
        sb.AppendLine("| α | method | " + string.Join(" | ", agents) + " |");
        sb.AppendLine("|---|---|" + string.Concat(agents.Select(_ => "---:|")));
        foreach (var r in rows.Where(r => r.Off is null))
            sb.AppendLine(string.Create(Inv, $"| {r.Alpha:0.0} | {r.Method} | ") + string.Join(" | ", agents.Select(a =>
                r.AnsweredBy.FirstOrDefault(x => x.Agent == a) is { Answers: > 0 } x ? string.Create(Inv, $"{x.Share * 100:0} %") : "-")) + " |");
        foreach (var r in rows.Where(r => r.Off is null && r.FirstError is not null))
            sb.AppendLine().Append(Inv, $"{r.Method} at α = {r.Alpha:0.0}: {r.Sent - r.Succeeded} failed, first: {r.FirstError}").AppendLine();
        return sb.ToString();
    }

    private static string Num(double? v) => v is { } x ? x.ToString("0.000", Inv) : "-";

    private static string Pair(Distribution? d, string format) =>
        d is null ? "-" : d.P50.ToString(format, Inv) + " / " + d.P99.ToString(format, Inv);

    private static string Ratio(Distribution? d, Distribution? reference) =>
        d is { } x && reference is { P50: > 0 } r ? (x.P50 / r.P50).ToString("0.00", Inv) : "-";

    // ---- JSON lines ------------------------------------------------------------------------------------------------

    /// <summary>One line per method and α, figure "compared"; a method that was off carries only its reason.</summary>
    public static IEnumerable<string> JsonLines(IEnumerable<MethodFigures> rows)
    {
        var options = new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        foreach (var r in rows)
        {
            var line = new JsonObject { ["figure"] = "compared", ["alpha"] = r.Alpha, ["method"] = r.Method };
            if (r.Off is { } off)
            {
                line["off"] = off;
                yield return line.ToJsonString(options);
                continue;
            }
            line["requests"] = r.Sent;
            line["succeeded"] = r.Succeeded;
            line["first_error"] = r.FirstError;
            line["correct"] = r.Correct;
            line["accuracy"] = Round(r.Accuracy, 4);
            line["mean_cost"] = Round(r.MeanCost, 4);
            line["utility"] = Round(r.Utility, 4);
            line["client_latency_ms"] = Dist(r.Client);
            line["router_ms"] = Dist(r.RouterMs);
            var answeredBy = new JsonObject();
            foreach (var a in r.AnsweredBy) answeredBy[a.Agent] = new JsonObject { ["answers"] = a.Answers, ["share"] = Math.Round(a.Share, 4) };
            line["answered_by"] = answeredBy;
            yield return line.ToJsonString(options);
        }
    }

    private static double? Round(double? v, int digits) => v is { } x ? Math.Round(x, digits) : null;

    private static JsonObject Dist(Distribution? d) => new()
    {
        ["count"] = d?.Count ?? 0,
        ["p50"] = d is null ? null : Math.Round(d.P50, 3),
        ["p99"] = d is null ? null : Math.Round(d.P99, 3),
    };
}
