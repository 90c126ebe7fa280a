using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DiSRouter.Training.NetworkBench;

/// <summary>The figures as a table (stdout), as JSON lines (one per figure), and as the "## Network" section of the docs.</summary>
internal static class BenchReport
{
    public const string SectionHeading = "## Network";

    /// <summary>
    /// The targets: routing under 2 ms a hop at the median (a hop's own code plus the call that reached it), rejecting
    /// under 10 % of answering.
    /// </summary>
    public const double HopOverheadTargetMs = 2.0;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Verdict(bool? pass) => pass switch { true => "PASS", false => "FAIL", null => "n/a" };

    public static bool? HopTarget(LevelResult r) => r.RoutingPerHop is { } d ? d.P50 < HopOverheadTargetMs : null;


    // ---- JSON lines ------------------------------------------------------------------------------------------------

    public static IEnumerable<string> JsonLines(IEnumerable<LevelResult> levels)
    {
        foreach (var r in levels)
        {
            yield return Line("throughput_rps", r, null, new JsonObject
            {
                ["value"] = Round(r.RequestsPerSecond), ["requests"] = r.Sent, ["succeeded"] = r.Succeeded,
                ["failed"] = r.Sent - r.Succeeded, ["seconds"] = Round(r.Seconds), ["first_error"] = r.FirstError,
            });
            yield return Line("client_latency_ms", r, null, Dist(r.Client));
            yield return Line("gateway_overhead_ms", r, null, Dist(r.Gateway));
            yield return Line("between_hops_ms", r, null, Dist(r.BetweenHops));
            yield return Line("hop_overhead_ms", r, "all", Dist(r.AllHops));
            var routing = Dist(r.RoutingPerHop);
            routing["target"] = $"p50 < {HopOverheadTargetMs.ToString(Inv)} ms";
            routing["pass"] = HopTarget(r);
            yield return Line("routing_per_hop_ms", r, null, routing);
            foreach (var a in r.Agents)
            {
                var own = Dist(a.Overhead);
                own["answers"] = a.Answers; own["rejections"] = a.Rejections; own["unreachable"] = a.Unreachable;
                yield return Line("hop_overhead_ms", r, a.Agent, own);
                yield return Line("rejection_share", r, a.Agent, new JsonObject
                {
                    ["value"] = a.Share.Value is { } v ? Round(v, 4) : null,
                    ["text"] = a.Share.Text, ["rejections"] = a.Share.Rejections, ["answers"] = a.Share.Answers,
                    ["reject_model_ms"] = a.Share.RejectMs is { } rm ? Round(rm, 4) : null,
                    ["answer_model_ms"] = a.Share.AnswerMs is { } am ? Round(am, 4) : null,
                    ["reject_model_ms_p50"] = a.Share.RejectP50 is { } r50 ? Round(r50, 4) : null,
                    ["answer_model_ms_p50"] = a.Share.AnswerP50 is { } a50 ? Round(a50, 4) : null,
                    ["reject_prompt_tokens"] = a.Share.RejectPromptTokens is { } rp ? Round(rp, 1) : null,
                    ["answer_prompt_tokens"] = a.Share.AnswerPromptTokens is { } ap ? Round(ap, 1) : null,
                    ["answer_completion_tokens"] = a.Share.AnswerCompletionTokens is { } ac ? Round(ac, 1) : null,
                    ["answer_first_token_ms"] = a.Share.AnswerFirstTokenMs is { } af ? Round(af, 4) : null,
                    ["same_prompt_value"] = a.Share.SamePromptValue is { } sp ? Round(sp, 4) : null,
                });
            }
        }
    }

    private static string Line(string figure, LevelResult r, string? agent, JsonObject fields)
    {
        var line = new JsonObject { ["figure"] = figure, ["concurrency"] = r.Concurrency };
        if (agent is not null) line["agent"] = agent;
        foreach (var (key, value) in fields.ToList())
        {
            fields.Remove(key);
            line[key] = value;
        }
        return line.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    private static JsonObject Dist(Distribution? d) => new()
    {
        ["count"] = d?.Count ?? 0,
        ["p50"] = d is null ? null : Round(d.P50),
        ["p99"] = d is null ? null : Round(d.P99),
    };

    private static double Round(double v, int digits = 3) => Math.Round(v, digits);

    // ---- table -----------------------------------------------------------------------------------------------------

    public static string Table(IEnumerable<LevelResult> levels)
    {
        var sb = new StringBuilder();
        foreach (var r in levels)
        {
            sb.AppendLine(Inv, $"concurrency {r.Concurrency}: {r.Succeeded}/{r.Sent} requests answered in {r.Seconds:0.00} s, {r.RequestsPerSecond:0.00} requests/s through the gateway");
            if (r.FirstError is { } e) sb.AppendLine(Inv, $"  failed: {r.Sent - r.Succeeded}, first: {e}");
            sb.AppendLine(Inv, $"  {"figure (ms)",-34} {"n",6} {"p50",9} {"p99",9}");
            Row(sb, "client latency", r.Client, null);
            Row(sb, "gateway overhead", r.Gateway, null);
            Row(sb, "agent to agent call, per forward", r.BetweenHops, null);
            Row(sb, "routing per hop (own code + call)", r.RoutingPerHop, $"target p50 < {HopOverheadTargetMs.ToString(Inv)} ms: {Verdict(HopTarget(r))}");
            Row(sb, "own code per hop, all hops", r.AllHops, null);
            foreach (var a in r.Agents) Row(sb, "  " + a.Agent, a.Overhead, $"{a.Answers} answers, {a.Rejections} rejections, {a.Unreachable} unreachable");
            sb.AppendLine(Inv, $"  rejection time / answering time (model time):");
            foreach (var a in r.Agents)
                sb.AppendLine(Inv, $"    {a.Agent,-12} {a.Share.Text}");
            sb.AppendLine();
        }
        return sb.ToString();
    }

    private static void Row(StringBuilder sb, string name, Distribution? d, string? note) =>
        sb.AppendLine(string.Create(Inv, $"  {name,-34} {d?.Count ?? 0,6} {Ms(d?.P50),9} {Ms(d?.P99),9}  {note}").TrimEnd());

    private static string Ms(double? v) => v is { } x ? x.ToString("0.000", Inv) : "-";

    // ---- markdown --------------------------------------------------------------------------------------------------

    /// <summary>The section, self-contained: how it was measured, on what, the figures and the verdicts.</summary>
    public static string Markdown(IReadOnlyList<LevelResult> levels, BenchRunInfo info)
    {
        var sb = new StringBuilder();
        sb.AppendLine(SectionHeading).AppendLine();
        sb.AppendLine("Routing overhead of the cascade, measured end to end through the gateway by the C# load generator in")
          .AppendLine("`DiSRouter.Training/NetworkBench/` (it starts the network through the AppHost, as a child process on a free gateway port, and stops it afterwards).").AppendLine();
        sb.AppendLine("```bash").AppendLine(info.Command).AppendLine("```").AppendLine();
        sb.AppendLine(Inv, $"- measured {info.Date:yyyy-MM-dd HH:mm} UTC on {info.Machine}");
        sb.AppendLine(Inv, $"- network: {info.Topology}");
        sb.AppendLine(Inv, $"- load: {info.Load}").AppendLine();

        sb.AppendLine("| concurrency | answered | requests/s | client p50 / p99 ms | gateway p50 / p99 ms | call per forward p50 / p99 ms | own code per hop p50 / p99 ms | routing per hop p50 / p99 ms | target p50 < 2 ms |");
        sb.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|:---:|");
        foreach (var r in levels)
            sb.AppendLine(Inv, $"| {r.Concurrency} | {r.Succeeded}/{r.Sent} | {r.RequestsPerSecond:0.00} | {Pair(r.Client)} | {Pair(r.Gateway)} | {Pair(r.BetweenHops)} | {Pair(r.AllHops)} | {Pair(r.RoutingPerHop)} | {Verdict(HopTarget(r))} |");
        sb.AppendLine();

        sb.AppendLine("| concurrency | agent | answers | rejections | unreachable | overhead p50 / p99 ms | rejection / answering time (mean model ms; medians; mean prompt tokens; on the answered prompts) |");
        sb.AppendLine("|---:|---|---:|---:|---:|---:|---:|:---:|");
        foreach (var r in levels)
            foreach (var a in r.Agents)
                sb.AppendLine(Inv, $"| {r.Concurrency} | {a.Agent} | {a.Answers} | {a.Rejections} | {a.Unreachable} | {Pair(a.Overhead)} | {a.Share.Text} |");
        sb.AppendLine();

        if (levels.All(r => r.BetweenHops is null))
            sb.AppendLine("No request was forwarded (the entry agent answered every one), so these figures cover answer hops only:")
              .AppendLine("reject hops and agent-to-agent calls appear once the checkpoints reject (self-aware ones).").AppendLine();

        sb.AppendLine("How the figures are read from each response's `disrouter` metadata:").AppendLine();
        sb.AppendLine("- *own code per hop* = a hop's `latency_ms` − its `model_ms`: the agent's own routing code (parsing, prompt, rejection");
        sb.AppendLine("  check, building the reply). A reject hop's `latency_ms` already leaves out the time spent in its successors");
        sb.AppendLine("  (`CascadeAgent` measures it as the request's time minus the forwarding time), so nothing more is subtracted;");
        sb.AppendLine("  unreachable hops are left out;");
        sb.AppendLine("- *gateway overhead* = what the client waited − the entry agent's `latency_ms` (its wall time, successors included):");
        sb.AppendLine("  the gateway's own work plus the two loopback legs client → gateway → entry agent;");
        sb.AppendLine("- *call per forward* = (the entry agent's `latency_ms` − the sum of the path's hop latencies) / the number of forwards,");
        sb.AppendLine("  on forwarded requests only: one agent-to-agent HTTP call (serialising, loopback, Kestrel, parsing the reply),");
        sb.AppendLine("  outside every hop's own clock;");
        sb.AppendLine("- *routing per hop* = own code per hop + the call per forward that reached it (none for the entry hop): what the");
        sb.AppendLine("  network adds to each hop besides model time; the 2 ms target is checked on its median;");
        sb.AppendLine("- *rejection / answering time* = mean `model_ms` of the agent's reject hops / mean `model_ms` of its answer hops (both means in brackets, then both medians, which tell a slow tail from a slow typical call, then the mean prompt lengths of the two kinds of hop and the answers' mean length: a rejection is one prompt pass, and the questions an agent declines are not those it answers); *on the answered prompts* = the answer hops' mean `first_token_ms` (their prompt pass and first token: what rejecting those same prompts would cost) / their mean `model_ms`, the share on equal prompts");
        sb.AppendLine(Inv, $"  (under 5 % in the reference paper); n/a with fewer than {BenchStatistics.MinDecisions} of either, as with base checkpoints that rarely reject;");
        sb.AppendLine("- *requests/s* = answered requests / wall time of the level, with that many requests in flight (closed loop);");
        sb.AppendLine("- percentiles are nearest-rank; the gateway's rate limit is lifted for the run; targets are reported, never enforced.");
        return sb.ToString();
    }

    private static string Pair(Distribution? d) => d is null ? "-" : string.Create(Inv, $"{d.P50:0.00} / {d.P99:0.00}");

    /// <summary>The document with its "## Network" section replaced (up to the next "## " heading), or appended.</summary>
    public static string ReplaceSection(string? document, string section)
    {
        section = section.TrimEnd() + "\n";
        if (string.IsNullOrWhiteSpace(document)) return "# Benchmarks\n\n" + section;
        var lines = document.Replace("\r\n", "\n").Split('\n').ToList();
        var start = lines.FindIndex(l => l.TrimEnd() == SectionHeading);
        if (start < 0) return document.TrimEnd() + "\n\n" + section;
        var end = lines.FindIndex(start + 1, l => l.StartsWith("## ", StringComparison.Ordinal) || l.StartsWith("# ", StringComparison.Ordinal));
        var before = string.Join('\n', lines.Take(start));
        var after = end < 0 ? "" : string.Join('\n', lines.Skip(end));
        return (before.Length > 0 ? before.TrimEnd() + "\n\n" : "") + section + (after.Length > 0 ? "\n" + after.TrimEnd() + "\n" : "");
    }
}

/// <summary>What the docs say beside the figures: the command, when, on what, against which network, under which load.</summary>
internal sealed record BenchRunInfo(string Command, DateTime Date, string Machine, string Topology, string Load);
