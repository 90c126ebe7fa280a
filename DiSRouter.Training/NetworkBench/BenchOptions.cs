using System.Globalization;
using DiSRouter.Core.Scenarios;

namespace DiSRouter.Training.NetworkBench;

/// <summary>The bench's command line. Every limit is bounded, so a run always ends on its own.</summary>
internal sealed record BenchOptions
{
    public const string Usage = """
        Usage: dotnet run -c Release --project DiSRouter.Training -- bench network [options]

        Starts the network through the AppHost (its topology; the gateway on a free port), sends nano-world test questions to the
        gateway's POST /v1/chat/completions, prints routing overhead per hop, rejection time per agent and
        requests/s; then asks the same questions one at a time through the cascade, through the gateway's Self-Route
        and bids modes (disrouter-self-route-*, disrouter-bids-*), through the agents' own auction (disrouter-auction-*)
        and of the largest agent alone at α = 0.2, 0.5 and 0.8, and prints each one's
        latency, graded accuracy, mean cost, utility, the router's own time and who answered; then stops every service.

          --requests N          measured requests per concurrency level, and per method and α (default 40)
          --concurrency C[,C]   requests in flight at once; a list runs one level after another (default 1)
          --warmup N            unmeasured requests first, so JIT and first-call costs stay out (default 1000)
          --alpha A             preference factor α in [0, 1] sent with every request
          --scenario NAME       performance-first, balance or cost-first (default balance)
          --seconds S           stop sending at a level after S seconds (default 300)
          --max-tokens N        token limit per request (at least 16; default: each agent's own)
          --agents a,b,c        launch only these agents (cascade order follows the topology)
          --config FILE         a topology JSON file layered over appsettings.json, as for the AppHost
          --checkpoints DIR     take each local agent's checkpoint from DIR/<its directory name>
                                (e.g. /work/main/models/nano-pool for models/nano-pool/nano-1 ...)
          --json                one JSON line per figure on stdout instead of the table
          --markdown FILE       write (or replace) the "## Network" section of FILE with the figures
          --verbose             show the services' own log lines (on stderr)
          -h, --help            this text

        Exit codes: 0 done (targets are reported, never enforced), 1 the network did not start or no request
        succeeded, 2 bad command line or topology, 130 interrupted.
        """;

    public int Requests { get; init; } = 40;
    public IReadOnlyList<int> Concurrency { get; init; } = [1];
    // 1000: .NET compiles a method again, optimised, only after it has run 30 times, and the later agents see a fraction of
    // the requests (the fifth a quarter of them at α = 0.8), so a short warm-up measures part of the path on tier-0 code:
    // after 60 warm-up requests the agent-to-agent call measured 2.0 ms at p50, after 1000 0.4–0.5 ms (docs/benchmarks.md).
    public int Warmup { get; init; } = 1000;
    public Scenario Scenario { get; init; } = Scenario.Balance;
    public TimeSpan SecondsCap { get; init; } = TimeSpan.FromSeconds(300);
    public int? MaxTokens { get; init; }
    public string? Agents { get; init; }
    public string? ConfigFile { get; init; }
    public string? CheckpointsDirectory { get; init; }
    public bool Json { get; init; }
    public string? MarkdownFile { get; init; }
    public bool Verbose { get; init; }
    public bool Help { get; init; }

    /// <summary>The arguments as given, for the command line written into the docs.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <exception cref="ArgumentException">The message says what is wrong and how to write it.</exception>
    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var o = new BenchOptions { Arguments = args };
        bool alphaGiven = false, scenarioGiven = false;
        for (var i = 0; i < args.Count; i++)
        {
            var (name, inline) = Split(args[i]);
            switch (name)
            {
                case "-h" or "--help":
                    return o with { Help = true };
                case "--requests":
                    o = o with { Requests = Int(Value(args, ref i, name, inline), name, min: 1, max: 100_000) };
                    break;
                case "--concurrency":
                    var levels = Value(args, ref i, name, inline).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                    if (levels.Length == 0) throw new ArgumentException("--concurrency needs at least one level (e.g. --concurrency 1,4).");
                    o = o with { Concurrency = levels.Select(l => Int(l, name, min: 1, max: 256)).ToList() };
                    break;
                case "--warmup":
                    o = o with { Warmup = Int(Value(args, ref i, name, inline), name, min: 0, max: 100_000) };
                    break;
                case "--alpha":
                    var text = Value(args, ref i, name, inline);
                    if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var alpha) || alpha is < 0 or > 1)
                        throw new ArgumentException($"--alpha must be a number in [0, 1], got '{text}'.");
                    o = o with { Scenario = Scenario.FromAlpha(alpha) };
                    alphaGiven = true;
                    break;
                case "--scenario":
                    var scenario = Value(args, ref i, name, inline);
                    if (!Scenario.TryParse(scenario, out var s))
                        throw new ArgumentException($"--scenario must be performance-first, balance or cost-first, got '{scenario}'.");
                    o = o with { Scenario = s };
                    scenarioGiven = true;
                    break;
                case "--seconds":
                    o = o with { SecondsCap = TimeSpan.FromSeconds(Int(Value(args, ref i, name, inline), name, min: 1, max: 86_400)) };
                    break;
                case "--max-tokens":
                    o = o with { MaxTokens = Int(Value(args, ref i, name, inline), name, min: 16, max: 100_000) };
                    break;
                case "--agents":
                    o = o with { Agents = Value(args, ref i, name, inline) };
                    break;
                case "--config":
                    o = o with { ConfigFile = Value(args, ref i, name, inline) };
                    break;
                case "--checkpoints":
                    o = o with { CheckpointsDirectory = Value(args, ref i, name, inline) };
                    break;
                case "--markdown":
                    o = o with { MarkdownFile = Value(args, ref i, name, inline) };
                    break;
                case "--json":
                    o = o with { Json = true };
                    break;
                case "--verbose":
                    o = o with { Verbose = true };
                    break;
                default:
                    throw new ArgumentException($"Unknown argument '{args[i]}'.");
            }
        }
        if (alphaGiven && scenarioGiven) throw new ArgumentException("Give --alpha or --scenario, not both.");
        if (o.CheckpointsDirectory is { } dir && !Directory.Exists(Path.GetFullPath(dir)))
            throw new ArgumentException($"--checkpoints: the directory {Path.GetFullPath(dir)} does not exist.");
        return o;
    }

    private static int Int(string text, string name, int min, int max) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
            ? v
            : throw new ArgumentException($"{name} must be a whole number in {min}..{max}, got '{text}'.");

    /// <summary>"--name=value" → (name, value); anything else → (arg, null).</summary>
    private static (string Name, string? Inline) Split(string arg)
    {
        var eq = arg.IndexOf('=');
        return arg.StartsWith("--", StringComparison.Ordinal) && eq > 0 ? (arg[..eq], arg[(eq + 1)..]) : (arg, null);
    }

    /// <summary>The option's value: the inline one, else the next argument (which must not be another option).</summary>
    private static string Value(IReadOnlyList<string> args, ref int i, string name, string? inline)
    {
        if (inline is not null) return inline;
        if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            throw new ArgumentException($"{name} needs a value.");
        return args[++i];
    }
}
