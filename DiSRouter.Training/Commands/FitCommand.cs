using System.CommandLine;
using DiSRouter.Core.Evaluation.Routers;
using DiSRouter.Training.Evaluation;
using DiSRouter.Training.Pool;

namespace DiSRouter.Training.Commands;

/// <summary>
/// <c>fit self-route</c>: the Self-Route router the gateway serves, fitted on validation (<see cref="SelfRouteFit"/>);
/// <c>fit bids</c>: each served agent's bid scale, fitted on its own validation answers (<see cref="BidFit"/>).
/// </summary>
internal static class FitCommand
{
    public static Command Create()
    {
        var command = new Command("fit", "Routers the network serves, fitted on the validation split.");
        command.Subcommands.Add(SelfRoute());
        command.Subcommands.Add(Bids());
        return command;
    }

    private static Command SelfRoute()
    {
        var served = ServedAgentOptions.Create(
            "Folder holding nano-selfaware/<agent> (the served checkpoints); default models/.",
            "Validation queries per in-domain family (200: the set calibration and report routing use).",
            "Measured replies, shared with report routing; default runs/evaluation/cache.");
        var parallel = new Option<int>("--parallel") { Description = "Concurrent queries.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var seed = new Option<int>("--seed") { Description = "Seed of the heads' SGD." };
        var outFile = new Option<string?>("--out") { Description = $"Where the router goes (default models/nano-selfaware/{SelfRouteFile.FileName}, beside the served agents)." };
        var command = new Command("self-route", "Self-Route's heads (family, difficulty) and its registry of the served agents' accuracy per family × difficulty, bound to their weights.")
        {
            served.PoolDir, served.Models, served.Agents, served.Items, parallel, served.Cache, seed, outFile,
        };
        command.SetAction((parse, ct) =>
        {
            var options = served.Read(parse) with { Parallelism = parse.GetValue(parallel), Seed = parse.GetValue(seed) };
            return Task.FromResult(SelfRouteFit.Run(options, parse.GetValue(outFile) ?? Path.Combine(options.ModelsDirectory, ReportCommand.ServedStoreName, SelfRouteFile.FileName),
                Invocation(parse, "self-route"), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, ct));
        });
        return command;
    }

    private static Command Bids()
    {
        var served = ServedAgentOptions.Create(
            "Folder holding nano-selfaware/<agent> (the served checkpoints, where bid.json is written); default models/.",
            "Validation queries per in-domain family (200: the set report routing measures).",
            "Measured replies of report routing --validation-decisions (read only); default runs/evaluation/cache.");
        var command = new Command("bids", $"Each served agent's bid scale (its logit gap under the alpha {RoutingReport.BidAlpha.ToString(System.Globalization.CultureInfo.InvariantCulture)} prompt to P(its answer is right)), " +
            "fitted on its own validation answers from the reply cache and written as bid.json beside its weights.")
        {
            served.PoolDir, served.Models, served.Agents, served.Items, served.Cache,
        };
        command.SetAction(parse =>
            BidFit.Run(served.Read(parse), Invocation(parse, "bids"), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    // The command line as it was typed, for the written file's record.
    private static string Invocation(ParseResult parse, string subcommand) =>
        ($"dotnet run -c Release --project DiSRouter.Training -- fit {subcommand} " + string.Join(' ', parse.Tokens.Skip(2).Select(t => t.Value))).TrimEnd();

    /// <summary>What both fits read: the pool, the served agents (or a subset), the validation set's size and the reply cache.</summary>
    private sealed record ServedAgentOptions(Option<string?> PoolDir, Option<string?> Models, Option<string?> Agents, Option<int> Items, Option<string?> Cache)
    {
        public static ServedAgentOptions Create(string models, string items, string cache) => new(
            new Option<string?>("--pool-dir") { Description = "Base checkpoints and manifest.json (cascade order, costs); default models/nano-pool." },
            new Option<string?>("--models-dir") { Description = models },
            new Option<string?>("--agents") { Description = "Comma-separated subset of agents, kept in cascade order." },
            new Option<int>("--items-per-family") { Description = items, DefaultValueFactory = _ => 200 },
            new Option<string?>("--cache") { Description = cache });

        public RoutingReportOptions Read(ParseResult parse)
        {
            var root = PoolPaths.RepositoryRoot();
            return new RoutingReportOptions
            {
                PoolDirectory = parse.GetValue(PoolDir) ?? PoolPaths.PoolDirectory(NanoPool.Name),
                ModelsDirectory = parse.GetValue(Models) ?? Path.Combine(root, "models"),
                Agents = SelfAwareness.SelfAwareCli.ParseList(parse.GetValue(Agents)),
                ItemsPerFamily = parse.GetValue(Items),
                CacheDirectory = parse.GetValue(Cache) ?? Path.Combine(root, "runs", "evaluation", "cache"),
            };
        }
    }
}
