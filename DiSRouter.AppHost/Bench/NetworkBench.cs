using System.Globalization;
using DiSRouter.AppHost.Hosting;

namespace DiSRouter.AppHost.Bench;

/// <summary>
/// `AppHost bench`: launches the network, loads the gateway level by level, prints the routing figures and stops
/// every service, also on Ctrl+C. The targets are printed with PASS/FAIL; they never change the exit code.
/// </summary>
internal static class NetworkBench
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int BadInput = 2;
    public const int Interrupted = 130;

    public static async Task<int> RunAsync(string[] args)
    {
        BenchOptions options;
        try
        {
            options = BenchOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"bench: {e.Message}{Environment.NewLine}{BenchOptions.Usage}");
            return BadInput;
        }
        if (options.Help)
        {
            await Console.Out.WriteLineAsync(BenchOptions.Usage);
            return Ok;
        }

        // stdout is kept for the figures; the launcher's lines become progress on stderr.
        var stdout = Console.Out;
        var console = new BenchConsole(Console.Error, options.Verbose);
        Console.SetOut(console);
        try
        {
            return await RunNetworkAsync(options, console, stdout);
        }
        finally
        {
            Console.SetOut(stdout);
        }
    }

    private static async Task<int> RunNetworkAsync(BenchOptions options, BenchConsole console, TextWriter stdout)
    {
        var (network, error) = BenchNetwork.Create(options);
        if (network is null)
        {
            ConsoleOutput.Error(error!);
            return BadInput;
        }

        var levels = new List<LevelResult>();
        var interrupted = false;
        await using (network)
        {
            if (!await network.StartAsync(console.Ready))
                return network.Outcome.ExitCode != 0 ? network.Outcome.ExitCode : Interrupted;

            var ct = network.Lifetime.ApplicationStopping;
            var agents = network.Plan.Agents.Select(a => a.Name).ToList();
            // Enough distinct questions for any prefix to mix the families; longer runs cycle through them.
            var prompts = BenchQueries.Draw(Math.Clamp(options.Requests, 60, 600));
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
            var load = new LoadGenerator(http, network.Gateway, network.Plan.ApiKey, options.Scenario, options.MaxTokens);
            // Warm-up: the first requests pay for JIT, connection set-up and the models' first calls in every process.
            if (options.Warmup > 0)
            {
                ConsoleOutput.Info($"bench: {options.Warmup} warm-up requests");
                await load.RunAsync(prompts, options.Warmup, 1, options.SecondsCap, ct);
            }
            foreach (var concurrency in options.Concurrency)
            {
                if (ct.IsCancellationRequested) break;
                ConsoleOutput.Info($"bench: {options.Requests} requests at concurrency {concurrency}, {options.Scenario}");
                var (samples, wall) = await load.RunAsync(prompts, options.Requests, concurrency, options.SecondsCap, ct);
                if (samples.Count > 0) levels.Add(BenchStatistics.Summarise(concurrency, samples, wall, agents));
            }
            interrupted = ct.IsCancellationRequested;
            if (interrupted) ConsoleOutput.Info("bench: interrupted; the figures measured so far follow");

            // Figures before the network stops, so the user sees them even if stopping takes a while.
            if (options.Json) foreach (var line in BenchReport.JsonLines(levels)) await stdout.WriteLineAsync(line);
            else await stdout.WriteAsync(BenchReport.Table(levels));
            await stdout.FlushAsync(CancellationToken.None);

            if (options.MarkdownFile is { } file && levels.Count > 0 && !interrupted)
            {
                var full = Path.GetFullPath(file);
                var existing = File.Exists(full) ? await File.ReadAllTextAsync(full, CancellationToken.None) : null;
                var section = BenchReport.Markdown(levels, RunInfo(options, network));
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                await File.WriteAllTextAsync(full, BenchReport.ReplaceSection(existing, section), CancellationToken.None);
                ConsoleOutput.Info($"bench: wrote the '{BenchReport.SectionHeading}' section of {full}");
            }
        }
        // The supervisor's code first: a gateway that died also stops the run, but that is a failure, not a Ctrl+C.
        if (network.Outcome.ExitCode != 0) return network.Outcome.ExitCode;
        if (interrupted) return Interrupted;
        return levels.Any(l => l.Succeeded > 0) ? Ok : Failed;
    }

    private static BenchRunInfo RunInfo(BenchOptions options, BenchNetwork network)
    {
        var command = "dotnet run -c Release --project DiSRouter.AppHost -- bench " + string.Join(' ', options.Arguments.Select(Quote));
        var topology = string.Join(" → ", network.Plan.Agents.Select(a =>
            $"{a.Name} ({(a.Spec.Backend == "local" ? Path.GetFileName(a.CheckpointPath) : a.Spec.Model)}, cost {a.Spec.Cost.ToString(CultureInfo.InvariantCulture)})"));
        var checkpoints = network.Plan.Agents.Select(a => a.CheckpointPath).OfType<string>().Select(Path.GetDirectoryName).Distinct().ToList();
        if (checkpoints.Count == 1) topology += $"; checkpoints in `{checkpoints[0]}`";
        var load = string.Create(CultureInfo.InvariantCulture,
            $"{options.Requests} nano-world test questions per level after {options.Warmup} warm-up requests, {options.Scenario}, max tokens {options.MaxTokens?.ToString(CultureInfo.InvariantCulture) ?? "each agent's own"}");
        return new BenchRunInfo(command.TrimEnd(), DateTime.UtcNow, Machine(), topology, load);
    }

    private static string Quote(string arg) => arg.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '$') ? "'" + arg.Replace("'", "'\\''") + "'" : arg;

    /// <summary>lscpu's "Model name" is /proc/cpuinfo's "model name"; read directly, so no tool has to be installed.</summary>
    private static string Machine()
    {
        var model = "unknown CPU";
        try
        {
            if (File.Exists("/proc/cpuinfo") && File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal)) is { } line)
                model = line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException)
        {
        }
        return string.Create(CultureInfo.InvariantCulture, $"{model}, {Environment.ProcessorCount} CPUs, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");
    }
}
