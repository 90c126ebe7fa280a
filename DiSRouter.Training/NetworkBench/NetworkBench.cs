using System.Globalization;
using DiSRouter.Core.Requests;
using DiSRouter.Core.Scenarios;
using DiSRouter.Core.Tasks;

namespace DiSRouter.Training.NetworkBench;

/// <summary>
/// `bench network`: starts the network through the AppHost, loads the gateway level by level, prints the routing
/// figures, then the cascade beside the gateway's Self-Route mode and the largest agent alone at each α (end-to-end
/// latency, graded accuracy, cost, the router's own time, who answered), and stops every service.
/// </summary>
internal static class NetworkBench
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int BadInput = 2;

    /// <summary>The α of the three scenarios (Performance First, Balance, Cost First).</summary>
    private static readonly double[] ComparedAlphas = [0.2, 0.5, 0.8];

    // Enough for the gateway's router-mode code (the router's heads, the answer's rewrite) to be compiled again, optimised,
    // as the load phase's requests are for the cascade's (BenchOptions.Warmup): .NET does so after 30 calls of a method.
    private const int RouterModeWarmup = 200;

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
        var compared = new List<MethodFigures>();
        await using (network)
        {
            var items = BenchQueries.Draw(Math.Clamp(options.Requests, 60, 600));
            var prompts = items.Select(i => i.Prompt).ToList();
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
            // The load phase reads the threshold cascade's hops (answers, rejections, rejection time): it names that rule, not
            // the gateway's default (the auction, which the comparison below asks by its own aliases).
            var load = new LoadGenerator(http, network.Gateway, network.ApiKey, options.Scenario, options.MaxTokens, ModelAliases.Cascade);
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

            if (!ct.IsCancellationRequested)
                compared.AddRange(await CompareAsync(http, network.Gateway, network.ApiKey, network.Agents, items, options, progress, ct));
        }

        var comparison = Comparison.Markdown(compared, network.Agents[^1]);
        if (options.Json)
        {
            foreach (var line in BenchReport.JsonLines(levels).Concat(Comparison.JsonLines(compared))) await Console.Out.WriteLineAsync(line);
        }
        else
        {
            await Console.Out.WriteAsync(BenchReport.Table(levels));
            await Console.Out.WriteAsync(comparison);
        }

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

    /// <summary>
    /// The router modes the bench compares with the cascade (the gateway's Self-Route and bids, the agents' own auction):
    /// its name in the rows, and the alias a scenario is asked through (the scenario's own alias; the plain one for another
    /// α, whose request "alpha" wins either way).
    /// </summary>
    internal static readonly (string Method, Func<Scenario, string> Alias)[] RouterModes =
    [
        (Comparison.SelfRoute, SelfRouteAlias),
        (Comparison.Bids, BidsAlias),
        (Comparison.Auction, AuctionAlias),
    ];

    /// <summary>
    /// The same questions one at a time, at each scenario's α, through the cascade, through the router modes
    /// (Self-Route, the bids, the auction; each scenario's own alias) and to the largest agent alone (a request naming the last agent
    /// enters the cascade there, and the last agent always answers), every answer graded. A mode's rows say why when it is off.
    /// </summary>
    internal static async Task<IReadOnlyList<MethodFigures>> CompareAsync(HttpClient http, Uri gateway, string apiKey, IReadOnlyList<string> agents,
        IReadOnlyList<TaskItem> items, BenchOptions options, TextWriter progress, CancellationToken ct)
    {
        var prompts = items.Select(i => i.Prompt).ToList();
        var largest = agents[^1];
        var compared = new List<MethodFigures>();
        var off = new Dictionary<string, string?>();
        foreach (var (method, alias) in RouterModes)
            off[method] = await WarmRouterModeAsync(method, new LoadGenerator(http, gateway, apiKey, Scenario.Balance, options.MaxTokens, alias(Scenario.Balance)),
                prompts, options, progress, ct);
        foreach (var alpha in ComparedAlphas)
        {
            if (ct.IsCancellationRequested) break;
            await progress.WriteLineAsync($"bench: {options.Requests} requests at α = {alpha.ToString(CultureInfo.InvariantCulture)}: cascade, " +
                $"{string.Join(", ", RouterModes.Select(m => off[m.Method] is null ? m.Method : $"({m.Method} off)"))}, {largest} alone");
            var scenario = Scenario.FromAlpha(alpha);
            async Task<MethodFigures> AskAsync(string method, string model)
            {
                var (samples, _) = await new LoadGenerator(http, gateway, apiKey, scenario, options.MaxTokens, model)
                    .RunAsync(prompts, options.Requests, 1, options.SecondsCap, ct);
                return Comparison.Of(alpha, method, samples, items, agents);
            }
            compared.Add(await AskAsync(Comparison.Cascade, ModelAliases.Cascade));
            foreach (var (method, alias) in RouterModes)
                compared.Add(off[method] is { } reason ? MethodFigures.Unavailable(alpha, method, reason) : await AskAsync(method, alias(scenario)));
            compared.Add(await AskAsync(Comparison.Alone(largest), largest));
        }
        return compared;
    }

    /// <summary>
    /// The Self-Route alias of a named scenario ("disrouter-self-route-cost-first"); the plain alias for another α (the
    /// request's "alpha" wins over an alias's scenario either way).
    /// </summary>
    private static string SelfRouteAlias(Scenario scenario) => ScenarioAlias(ModelAliases.SelfRouteAll, ModelAliases.SelfRoute, scenario);

    /// <summary>The bids alias of a named scenario ("disrouter-bids-cost-first"); the plain alias for another α.</summary>
    private static string BidsAlias(Scenario scenario) => ScenarioAlias(ModelAliases.BidsAll, ModelAliases.Bids, scenario);

    /// <summary>The auction alias of a named scenario ("disrouter-auction-cost-first"); the plain alias for another α.</summary>
    private static string AuctionAlias(Scenario scenario) => ScenarioAlias(ModelAliases.AuctionAll, ModelAliases.Auction, scenario);

    private static string ScenarioAlias(IReadOnlyList<(string Id, Scenario Scenario)> all, string plain, Scenario scenario) =>
        all.FirstOrDefault(a => a.Scenario == scenario && a.Id != plain).Id ?? plain;

    /// <summary>
    /// Asks a router mode once: null when it answers with the router's metadata, else why it is off (the gateway's 503
    /// reason: no router file beside the served agents, no agent bids...). When on, warm-up requests follow: the load
    /// phase ran the cascade's code, not the mode's router or the gateway's rewrite of the answer.
    /// </summary>
    private static async Task<string?> WarmRouterModeAsync(string method, LoadGenerator probe, IReadOnlyList<string> prompts, BenchOptions options,
        TextWriter progress, CancellationToken ct)
    {
        var first = await probe.SendAsync(prompts[0], ct);
        var off = !first.Succeeded ? $"the gateway answered {probe.Model} with HTTP {first.Status}: {first.Error}"
            : first.Routing!.Router is null ? $"the gateway answered {probe.Model} without the router's metadata (disrouter.router)"
            : null;
        if (off is not null)
        {
            await progress.WriteLineAsync($"bench: {method} is off: " + off);
            return off;
        }
        var warmup = Math.Min(options.Warmup, RouterModeWarmup);
        if (warmup > 0)
        {
            await progress.WriteLineAsync($"bench: {warmup} {method} warm-up requests");
            await probe.RunAsync(prompts, warmup, 1, options.SecondsCap, ct);
        }
        return null;
    }

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
