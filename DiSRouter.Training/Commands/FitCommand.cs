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
        var poolDir = new Option<string?>("--pool-dir") { Description = "Base checkpoints and manifest.json (cascade order, costs); default models/nano-pool." };
        var models = new Option<string?>("--models-dir") { Description = "Folder holding nano-selfaware/<agent> (the served checkpoints); default models/." };
        var agentsOpt = new Option<string?>("--agents") { Description = "Comma-separated subset of agents, kept in cascade order." };
        var items = new Option<int>("--items-per-family") { Description = "Validation queries per in-domain family (200: the set calibration and report routing use).", DefaultValueFactory = _ => 200 };
        var parallel = new Option<int>("--parallel") { Description = "Concurrent queries.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var cacheDir = new Option<string?>("--cache") { Description = "Measured replies, shared with report routing; default runs/evaluation/cache." };
        var seed = new Option<int>("--seed") { Description = "Seed of the heads' SGD." };
        var outFile = new Option<string?>("--out") { Description = $"Where the router goes (default models/nano-selfaware/{SelfRouteFile.FileName}, beside the served agents)." };
        var command = new Command("self-route", "Self-Route's heads (family, difficulty) and its registry of the served agents' accuracy per family × difficulty, bound to their weights.")
        {
            poolDir, models, agentsOpt, items, parallel, cacheDir, seed, outFile,
        };
        command.SetAction((parse, ct) =>
        {
            var root = PoolPaths.RepositoryRoot();
            var modelsDir = parse.GetValue(models) ?? Path.Combine(root, "models");
            var options = new RoutingReportOptions
            {
                PoolDirectory = parse.GetValue(poolDir) ?? PoolPaths.PoolDirectory(NanoPool.Name),
                ModelsDirectory = modelsDir,
                Agents = SelfAwareness.SelfAwareCli.ParseList(parse.GetValue(agentsOpt)),
                ItemsPerFamily = parse.GetValue(items),
                Parallelism = parse.GetValue(parallel),
                CacheDirectory = parse.GetValue(cacheDir) ?? Path.Combine(root, "runs", "evaluation", "cache"),
                Seed = parse.GetValue(seed),
            };
            var command = ("dotnet run -c Release --project DiSRouter.Training -- fit self-route " + string.Join(' ', parse.Tokens.Skip(2).Select(t => t.Value))).TrimEnd();
            return Task.FromResult(SelfRouteFit.Run(options, parse.GetValue(outFile) ?? Path.Combine(modelsDir, ReportCommand.ServedStoreName, SelfRouteFile.FileName),
                command, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, ct));
        });
        return command;
    }

    private static Command Bids()
    {
        var poolDir = new Option<string?>("--pool-dir") { Description = "Base checkpoints and manifest.json (cascade order, costs); default models/nano-pool." };
        var models = new Option<string?>("--models-dir") { Description = "Folder holding nano-selfaware/<agent> (the served checkpoints, where bid.json is written); default models/." };
        var agentsOpt = new Option<string?>("--agents") { Description = "Comma-separated subset of agents, kept in cascade order." };
        var items = new Option<int>("--items-per-family") { Description = "Validation queries per in-domain family (200: the set report routing measures).", DefaultValueFactory = _ => 200 };
        var cacheDir = new Option<string?>("--cache") { Description = "Measured replies of report routing --validation-decisions (read only); default runs/evaluation/cache." };
        var command = new Command("bids", $"Each served agent's bid scale (its logit gap under the alpha {RoutingReport.BidAlpha.ToString(System.Globalization.CultureInfo.InvariantCulture)} prompt to P(its answer is right)), " +
            "fitted on its own validation answers from the reply cache and written as bid.json beside its weights.")
        {
            poolDir, models, agentsOpt, items, cacheDir,
        };
        command.SetAction(parse =>
        {
            var root = PoolPaths.RepositoryRoot();
            var options = new RoutingReportOptions
            {
                PoolDirectory = parse.GetValue(poolDir) ?? PoolPaths.PoolDirectory(NanoPool.Name),
                ModelsDirectory = parse.GetValue(models) ?? Path.Combine(root, "models"),
                Agents = SelfAwareness.SelfAwareCli.ParseList(parse.GetValue(agentsOpt)),
                ItemsPerFamily = parse.GetValue(items),
                CacheDirectory = parse.GetValue(cacheDir) ?? Path.Combine(root, "runs", "evaluation", "cache"),
            };
            var command = ("dotnet run -c Release --project DiSRouter.Training -- fit bids " + string.Join(' ', parse.Tokens.Skip(2).Select(t => t.Value))).TrimEnd();
            return BidFit.Run(options, command, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
        });
        return command;
    }
}
