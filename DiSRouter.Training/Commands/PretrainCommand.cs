using System.CommandLine;
using System.Diagnostics;
using DiSRouter.Models.Tokenization;
using DiSRouter.Training.Pool;
using Spectre.Console;

namespace DiSRouter.Training.Commands;

/// <summary>
/// <c>pretrain --pool nano</c>: trains the pool's members from scratch on the nano world (resuming any
/// interrupted member, skipping finished ones), evaluates them and writes the committed manifest.
/// </summary>
internal static class PretrainCommand
{
    public static Command Create()
    {
        var pool = new Option<string>("--pool") { Description = "Pool name.", DefaultValueFactory = _ => NanoPool.Name };
        var poolDir = new Option<string?>("--pool-dir") { Description = "Where the finished checkpoints and manifest.json go (default: models/<pool>-pool)." };
        var workDir = new Option<string?>("--work-dir") { Description = "Resumable training state (default: runs/pool/<pool>)." };
        var only = new Option<string?>("--only") { Description = "Comma-separated members to train (default: all)." };
        var stepsScale = new Option<double>("--steps-scale") { Description = "Multiply every member's steps (pilots); changes the spec, so it retrains.", DefaultValueFactory = _ => 1.0 };
        var evalItems = new Option<int>("--eval-items") { Description = "Test queries per family for the manifest's figures.", DefaultValueFactory = _ => PoolEvaluation.DefaultItemsPerFamily };
        var noEval = new Option<bool>("--no-eval") { Description = "Train only; leave the manifest alone." };
        var parallel = new Option<int>("--parallel") { Description = "Concurrent evaluation queries.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var lanes = new Option<int>("--lanes") { Description = "Members trained at once, the engine's threads shared among them (0: one per processor; 1: one member at a time on every thread).", DefaultValueFactory = _ => 0 };
        var dryRun = new Option<bool>("--dry-run") { Description = "Build the corpus, print its statistics and the members' sizes, train nothing." };
        var set = new Option<string?>("--set") { Description = "Spec overrides for experiments: <member|all|corpus>.<field>=<value>,… (e.g. nano-3.steps=2000,corpus.passes=2)." };
        var checkpointSeconds = new Option<int>("--checkpoint-seconds") { Description = "Seconds between resumable state saves.", DefaultValueFactory = _ => 60 };

        var command = new Command("pretrain", "Train a pool of models of rising size from scratch (resumable), evaluate it and write its manifest.")
        {
            pool, poolDir, workDir, only, stepsScale, evalItems, noEval, parallel, lanes, checkpointSeconds, dryRun, set,
        };
        command.SetAction((parse, ct) =>
        {
            var name = parse.GetValue(pool)!;
            if (name != NanoPool.Name) { parse.InvocationConfiguration.Error.WriteLine($"Unknown pool '{name}'; the known pool is '{NanoPool.Name}'."); return Task.FromResult(2); }
            IReadOnlyList<PoolMemberSpec> members;
            CorpusSpec corpus;
            try { (members, corpus) = SpecOverrides.Apply(parse.GetValue(set), NanoPool.Members, NanoPool.Corpus); }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                parse.InvocationConfiguration.Error.WriteLine(e.Message);
                return Task.FromResult(2);
            }
            if (parse.GetValue(lanes) < 0) { parse.InvocationConfiguration.Error.WriteLine($"--lanes must be 0 (one per processor) or more, got {parse.GetValue(lanes)}."); return Task.FromResult(2); }
            var options = new PoolPretraining.Options
            {
                Members = members,
                Corpus = corpus,
                PoolDirectory = parse.GetValue(poolDir) ?? PoolPaths.PoolDirectory(name),
                WorkDirectory = parse.GetValue(workDir) ?? PoolPaths.WorkDirectory(name),
                Only = parse.GetValue(only)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                StepsScale = parse.GetValue(stepsScale),
                EvalItemsPerFamily = parse.GetValue(evalItems),
                Evaluate = !parse.GetValue(noEval),
                Parallelism = parse.GetValue(parallel),
                Lanes = parse.GetValue(lanes),
                DryRun = parse.GetValue(dryRun),
                CheckpointEvery = TimeSpan.FromSeconds(parse.GetValue(checkpointSeconds)),
                Command = "dotnet run -c Release --project DiSRouter.Training -- " + string.Join(" ", Environment.GetCommandLineArgs().Skip(1)),
            };
            return Task.FromResult(PoolPretraining.Run(options, ConsoleReporter.Create(), ct));
        });
        return command;
    }
}
