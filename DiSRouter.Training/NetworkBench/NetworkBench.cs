using System.Globalization;
using DiSRouter.Core.Scenarios;

namespace DiSRouter.Training.NetworkBench;

/// <summary>
/// `bench network`: starts the network through the AppHost, loads the gateway level by level, prints the routing
/// figures, then the cascade's end-to-end latency beside the largest agent alone at each α, and stops every service.
/// </summary>
internal static class NetworkBench
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int BadInput = 2;

    /// <summary>The α of the three scenarios (Performance First, Balance, Cost First).</summary>
    private static readonly double[] ComparedAlphas = [0.2, 0.5, 0.8];

    public static async Task<int> RunAsync(IReadOnlyList<string> args, string repositoryRoot, CancellationToken ct)
    {
        BenchOptions options;
        try
        {
            options = BenchOptions.Parse([.. args]);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"bench network: {e.Message}{Environment.NewLine}{BenchOptions.Usage}");
            return BadInput;
        }
        if (options.Help)
        {
            await Console.Out.WriteLineAsync(BenchOptions.Usage);
            return Ok;
        }

        var progress = Console.Error; // stdout is kept for the figures
        BenchNetwork network;
        try
        {
            network = await BenchNetwork.StartAsync(options, repositoryRoot, progress, ct);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or OperationCanceledException)
        {
            await progress.WriteLineAsync("bench network: " + e.Message);
            return Failed;
        }

        var levels = new List<LevelResult>();
        var compared = new List<(double Alpha, Distribution? Cascade, double CascadeCost, Distribution? Largest, double LargestCost)>();
        await using (network)
        {
            var prompts = BenchQueries.Draw(Math.Clamp(options.Requests, 60, 600));
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
            var load = new LoadGenerator(http, network.Gateway, network.ApiKey, options.Scenario, options.MaxTokens);
            if (options.Warmup > 0)
            {
                await progress.WriteLineAsync($"bench: {options.Warmup} warm-up requests");
                await load.RunAsync(prompts, options.Warmup, 1, options.SecondsCap, ct);
            }
            foreach (var concurrency in options.Concurrency)
            {
                if (ct.IsCancellationRequested) break;
                await progress.WriteLineAsync($"bench: {options.Requests} requests at concurrency {concurrency}, {options.Scenario}");
                var (samples, wall) = await load.RunAsync(prompts, options.Requests, concurrency, options.SecondsCap, ct);
                if (samples.Count > 0) levels.Add(BenchStatistics.Summarise(concurrency, samples, wall, network.Agents));
            }

            // The same questions one at a time through the cascade and to the largest agent alone (a request naming the
            // last agent enters the cascade there, and the last agent always answers).
            var largest = network.Agents[^1];
            foreach (var alpha in ComparedAlphas)
            {
                if (ct.IsCancellationRequested) break;
                await progress.WriteLineAsync($"bench: {options.Requests} requests at α = {alpha.ToString(CultureInfo.InvariantCulture)}, cascade then {largest} alone");
                var scenario = Scenario.FromAlpha(alpha);
                var (cascade, _) = await new LoadGenerator(http, network.Gateway, network.ApiKey, scenario, options.MaxTokens)
                    .RunAsync(prompts, options.Requests, 1, options.SecondsCap, ct);
                var (alone, _) = await new LoadGenerator(http, network.Gateway, network.ApiKey, scenario, options.MaxTokens, largest)
                    .RunAsync(prompts, options.Requests, 1, options.SecondsCap, ct);
                compared.Add((alpha, Latency(cascade), MeanCost(cascade), Latency(alone), MeanCost(alone)));
            }
        }

        if (options.Json) foreach (var line in BenchReport.JsonLines(levels)) await Console.Out.WriteLineAsync(line);
        else await Console.Out.WriteAsync(BenchReport.Table(levels));
        var comparison = Comparison(compared, network.Agents[^1]);
        await Console.Out.WriteAsync(comparison);

        if (options.MarkdownFile is { } file && levels.Count > 0 && !ct.IsCancellationRequested)
        {
            var full = Path.GetFullPath(file);
            var existing = File.Exists(full) ? await File.ReadAllTextAsync(full, CancellationToken.None) : null;
            var section = BenchReport.Markdown(levels, RunInfo(options, network)) + Environment.NewLine + comparison;
            await File.WriteAllTextAsync(full, BenchReport.ReplaceSection(existing, section), CancellationToken.None);
            await progress.WriteLineAsync($"bench: wrote the '{BenchReport.SectionHeading}' section of {full}");
        }
        return levels.Any(l => l.Succeeded > 0) ? Ok : Failed;
    }

    private static Distribution? Latency(IReadOnlyList<BenchSample> samples) => Distribution.Of(samples.Where(s => s.Succeeded).Select(s => s.ClientMs));

    private static double MeanCost(IReadOnlyList<BenchSample> samples) =>
        samples.Where(s => s.Succeeded).Select(s => s.Routing!.Cost).DefaultIfEmpty(double.NaN).Average();

    /// <summary>A markdown table that reads the same on a terminal: per α, both latencies and their ratio, and the mean cost.</summary>
    private static string Comparison(IEnumerable<(double Alpha, Distribution? Cascade, double CascadeCost, Distribution? Largest, double LargestCost)> rows, string largest)
    {
        var sb = new System.Text.StringBuilder();
        sb.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"### Cascade against {largest} alone (the same questions, one at a time, client-side end-to-end)").AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"| α | cascade p50 / p99 ms | {largest} alone p50 / p99 ms | p50 ratio cascade / alone | mean cost cascade / alone |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (var (alpha, cascade, cascadeCost, alone, aloneCost) in rows)
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {alpha:0.0} | {Pair(cascade)} | {Pair(alone)} | {(cascade is { } c && alone is { } a && a.P50 > 0 ? (c.P50 / a.P50).ToString("0.00", CultureInfo.InvariantCulture) : "n/a")} | {cascadeCost:0.000} / {aloneCost:0.000} |");
        return sb.ToString();
    }

    private static string Pair(Distribution? d) => d is null ? "n/a" : string.Create(CultureInfo.InvariantCulture, $"{d.P50:0} / {d.P99:0}");

    private static BenchRunInfo RunInfo(BenchOptions options, BenchNetwork network)
    {
        var command = "dotnet run -c Release --project DiSRouter.Training -- bench network " + string.Join(' ', options.Arguments);
        var load = string.Create(CultureInfo.InvariantCulture,
            $"{options.Requests} nano-world test questions per level after {options.Warmup} warm-up requests, {options.Scenario}, max tokens {options.MaxTokens?.ToString(CultureInfo.InvariantCulture) ?? "each agent's own"}");
        return new BenchRunInfo(command.TrimEnd(), DateTime.UtcNow, Machine(), string.Join(" → ", network.Agents), load);
    }

    /// <summary>lscpu's "Model name" is /proc/cpuinfo's "model name"; read directly, so no tool has to be installed.</summary>
    private static string Machine()
    {
        var model = "unknown CPU";
        if (File.Exists("/proc/cpuinfo") && File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal)) is { } line)
            model = line[(line.IndexOf(':') + 1)..].Trim();
        var load = File.Exists("/proc/loadavg") ? $", load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at the end" : "";
        return string.Create(CultureInfo.InvariantCulture, $"{model}, {Environment.ProcessorCount} CPUs, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}{load}");
    }
}
