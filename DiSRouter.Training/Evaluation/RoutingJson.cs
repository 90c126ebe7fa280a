using System.Text.Json.Serialization;

namespace DiSRouter.Training.Evaluation;

/// <summary>The report's machine-readable lines (<c>report routing --json</c>): one per method × α × split (and agent subset), then one per method's α sweep.</summary>
internal static class RoutingJson
{
    internal sealed record MethodLine(
        [property: JsonPropertyName("kind")] string Kind,
        [property: JsonPropertyName("split")] string Split,
        [property: JsonPropertyName("agents")] string Agents,
        [property: JsonPropertyName("method")] string Method,
        [property: JsonPropertyName("alpha")] double Alpha,
        [property: JsonPropertyName("accuracy")] double Accuracy,
        [property: JsonPropertyName("cost")] double Cost,
        [property: JsonPropertyName("utility")] double Utility,
        [property: JsonPropertyName("oracle_share")] double OracleShare,
        [property: JsonPropertyName("p50_ms")] double P50Ms,
        [property: JsonPropertyName("p99_ms")] double P99Ms,
        [property: JsonPropertyName("disrouter_minus_method")] double? Difference,
        [property: JsonPropertyName("ci95_low")] double? Low,
        [property: JsonPropertyName("ci95_high")] double? High,
        [property: JsonPropertyName("verdict")] string? Verdict);

    internal sealed record CurveLine(
        [property: JsonPropertyName("kind")] string Kind,
        [property: JsonPropertyName("split")] string Split,
        [property: JsonPropertyName("agents")] string Agents,
        [property: JsonPropertyName("method")] string Method,
        [property: JsonPropertyName("aiq")] double Aiq,
        [property: JsonPropertyName("apgr")] double? Apgr,
        [property: JsonPropertyName("cpt50")] double? Cpt50,
        [property: JsonPropertyName("cpt80")] double? Cpt80);

    internal sealed record VersusLine(
        [property: JsonPropertyName("kind")] string Kind,
        [property: JsonPropertyName("split")] string Split,
        [property: JsonPropertyName("agents")] string Agents,
        [property: JsonPropertyName("method")] string Method,
        [property: JsonPropertyName("baseline")] string Baseline,
        [property: JsonPropertyName("alpha")] double Alpha,
        [property: JsonPropertyName("method_minus_baseline")] double Difference,
        [property: JsonPropertyName("ci95_low")] double Low,
        [property: JsonPropertyName("ci95_high")] double High,
        [property: JsonPropertyName("verdict")] string Verdict);

    public static IEnumerable<object> Lines(RoutingReportResult r)
    {
        foreach (var x in r.Rows)
            yield return new MethodLine("method", x.Split, x.Subset, x.Method, x.Alpha, R(x.Accuracy), R(x.Cost), R(x.Utility), R(x.OracleShare), R(x.P50Ms), R(x.P99Ms),
                x.VersusDiSRouter is { } v ? R(v.Mean) : null, x.VersusDiSRouter is { } l ? R(l.Low) : null, x.VersusDiSRouter is { } h ? R(h.High) : null,
                x.VersusDiSRouter?.Verdict);
        foreach (var c in r.Curves)
            yield return new CurveLine("curve", c.Split, c.Subset, c.Method, R(c.Aiq), double.IsNaN(c.Apgr) ? null : R(c.Apgr), c.Cpt50 is { } a ? R(a) : null, c.Cpt80 is { } b ? R(b) : null);
        foreach (var v in r.Versus)
            yield return new VersusLine("versus", v.Split, v.Subset, v.Method, v.Baseline, v.Alpha, R(v.Difference.Mean), R(v.Difference.Low), R(v.Difference.High), v.Difference.Verdict);
    }

    private static double R(double v) => Math.Round(v, 4);
}
