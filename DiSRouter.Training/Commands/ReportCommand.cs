using System.CommandLine;
using System.Text.Json;
using DiSRouter.Core.Tasks;
using DiSRouter.Training.Pool;
using DiSRouter.Training.SelfAwareness;

namespace DiSRouter.Training.Commands;

/// <summary>
/// <c>report selfaware [--json]</c>: evaluates every agent's self-aware checkpoints (cascade order from the pool manifest)
/// and writes docs/selfaware.md, or prints the figures as JSON lines.
/// </summary>
internal static class ReportCommand
{
    /// <summary>Committed SFT checkpoints, one folder per agent, under models/.</summary>
    public const string SftStoreName = "nano-sft";

    /// <summary>Committed SFT+RL checkpoints, the ones the network serves, under models/.</summary>
    public const string ServedStoreName = "nano-selfaware";

    public static Command Create()
    {
        var command = new Command("report", "Reports built from trained models.");
        command.Subcommands.Add(SelfAware());
        command.Subcommands.Add(Evaluation.RoutingReportCommand.Create());
        return command;
    }

    private static Command SelfAware()
    {
        var poolDir = new Option<string?>("--pool-dir") { Description = "Base checkpoints and manifest.json (cascade order, costs); default models/nano-pool." };
        var runs = new Option<string?>("--runs") { Description = "Per-agent folders <agent>/sft and <agent>/rl; default runs/selfaware." };
        var agentsOpt = new Option<string?>("--agents") { Description = "Comma-separated subset of agents, kept in cascade order (plug-and-play)." };
        var split = new Option<string>("--split") { Description = "train, validation or test.", DefaultValueFactory = _ => "test" };
        split.AcceptOnlyFromAmong("train", "validation", "test");
        var items = new Option<int>("--items-per-family") { Description = "Queries per in-domain family (the first N of the split; 200 is the whole test split).", DefaultValueFactory = _ => 200 };
        var families = new Option<string?>("--families") { Description = "Comma-separated families (default: the in-domain ones)." };
        var alphas = new Option<string>("--alphas") { Description = "Scenarios: \"0.2,0.5,0.8\", names, or a grid \"0:1:0.1\".", DefaultValueFactory = _ => "0.2,0.5,0.8" };
        var deltaQueries = new Option<int>("--delta-queries") { Description = "Queries for ΔPerformance (0 skips it).", DefaultValueFactory = _ => 360 };
        var deltaSamples = new Option<int>("--delta-samples") { Description = "Samples per query at T = 1 for ΔPerformance.", DefaultValueFactory = _ => 10 };
        var idealSamples = new Option<int>("--ideal-samples") { Description = "Samples per query and base model for p(x), behind the ideal-sft / ideal-rl rows (0 skips them).", DefaultValueFactory = _ => 8 };
        var idealTemperature = new Option<double>("--ideal-temperature") { Description = "Temperature of those samples (the pipeline's sampling temperature).", DefaultValueFactory = _ => 0.5 };
        var gamma = new Option<double>("--gamma") { Description = "γ of the RL rule (1 − α)^γ in the ideal-rl row.", DefaultValueFactory = _ => SelfAwarenessReward.DefaultGamma };
        var parallel = new Option<int>("--parallel") { Description = "Concurrent queries.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var seed = new Option<int>("--seed") { Description = "Seed of the random baseline, the balanced subset and the T = 1 samples." };
        var json = new Option<bool>("--json") { Description = "Print JSON lines (answer_rate, self_assessment, utility) instead of writing the report." };
        var outFile = new Option<string?>("--out") { Description = "Where the report goes (default docs/selfaware.md)." };
        var decisionsFile = new Option<string?>("--decisions") { Description = "Also write every query's outcome per agent (base correctness, p(x), each variant's decisions) as JSON lines to this file." };
        var command = new Command("selfaware", "Answer rates, self-assessment, answered vs rejected accuracy, ΔPerformance and the cascade's utility.")
        {
            poolDir, runs, agentsOpt, split, items, families, alphas, deltaQueries, deltaSamples, idealSamples, idealTemperature, gamma, parallel, seed, json, outFile,
            decisionsFile,
        };
        command.SetAction((parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            SelfAwareReportOptions options;
            try
            {
                options = new SelfAwareReportOptions
                {
                    Alphas = SelfAwareCli.ParseAlphas(parse.GetValue(alphas)!),
                    DeltaQueries = parse.GetValue(deltaQueries),
                    DeltaSamples = parse.GetValue(deltaSamples),
                    IdealSamples = parse.GetValue(idealSamples),
                    IdealTemperature = parse.GetValue(idealTemperature),
                    Gamma = parse.GetValue(gamma),
                    Parallelism = parse.GetValue(parallel),
                    Seed = parse.GetValue(seed),
                };
            }
            catch (FormatException e) { error.WriteLine(e.Message); return Task.FromResult(SelfAwareCli.BadInput); }
            if (options.IdealSamples < 0) { error.WriteLine("--ideal-samples must not be negative."); return Task.FromResult(SelfAwareCli.BadInput); }
            if (!(options.IdealTemperature >= 0)) { error.WriteLine("--ideal-temperature must not be negative."); return Task.FromResult(SelfAwareCli.BadInput); }
            if (!(options.Gamma is >= 0 and <= 1)) { error.WriteLine("--gamma must lie in [0, 1]."); return Task.FromResult(SelfAwareCli.BadInput); }
            var root = PoolPaths.RepositoryRoot();
            return Task.FromResult(Run(
                parse.GetValue(poolDir) ?? PoolPaths.PoolDirectory(NanoPool.Name),
                parse.GetValue(runs) ?? Path.Combine(root, "runs", "selfaware"),
                parse.GetValue(agentsOpt), parse.GetValue(split)!, parse.GetValue(items), parse.GetValue(families), options, parse.GetValue(json),
                parse.GetValue(outFile) ?? Path.Combine(root, "docs", "selfaware.md"),
                "dotnet run --project DiSRouter.Training -- report selfaware " + string.Join(' ', parse.Tokens.Skip(2).Select(t => t.Value)),
                parse.InvocationConfiguration.Output, error, ct, parse.GetValue(decisionsFile)));
        });
        return command;
    }

    public static int Run(string poolDir, string runs, string? agentFilter, string split, int itemsPerFamily, string? families,
        SelfAwareReportOptions options, bool json, string outFile, string command, TextWriter output, TextWriter error, CancellationToken ct,
        string? decisionsFile = null)
    {
        if (itemsPerFamily < 1) { error.WriteLine("--items-per-family must be at least 1."); return SelfAwareCli.BadInput; }
        if (!TaskSplits.TryParse(split, out var taskSplit)) { error.WriteLine($"Unknown split '{split}'."); return SelfAwareCli.BadInput; }
        var manifestPath = Path.Combine(poolDir, PoolManifest.FileName);
        if (!File.Exists(manifestPath)) { error.WriteLine($"No pool manifest at {manifestPath}: the cascade order and costs come from it (run `pretrain` first)."); return SelfAwareCli.BadInput; }
        PoolManifest manifest;
        try { manifest = PoolManifest.Load(manifestPath); }
        catch (InvalidDataException e) { error.WriteLine(e.Message); return SelfAwareCli.BadInput; }

        var models = Path.Combine(PoolPaths.RepositoryRoot(), "models");
        var agents = manifest.Models.Select(m =>
        {
            var run = Path.Combine(runs, m.Name);
            // A run directory's checkpoints first (what was just trained); else the committed ones, so that a fresh clone
            // regenerates the report: models/nano-sft/<agent> (SFT) and models/nano-selfaware/<agent> (SFT+RL, served).
            string? Trained(string folder, string committed)
            {
                if (File.Exists(Path.Combine(run, folder, "config.json"))) return Path.Combine(run, folder);
                var store = Path.Combine(models, committed, m.Name);
                return File.Exists(Path.Combine(store, "config.json")) ? store : null;
            }
            return new AgentCheckpoints(m.Name, m.Cost, Path.Combine(poolDir, m.Directory), Trained(SftStage.CheckpointFolder, SftStoreName),
                Trained(RlStage.CheckpointFolder, ServedStoreName), m.MaxNewTokens, run);
        }).ToList();
        if (SelfAwareCli.ParseList(agentFilter) is { } wanted)
        {
            var unknown = wanted.Except(agents.Select(a => a.Name)).ToList();
            if (unknown.Count > 0) { error.WriteLine($"Unknown agent(s) {string.Join(", ", unknown)} in {manifestPath}."); return SelfAwareCli.BadInput; }
            agents = agents.Where(a => wanted.Contains(a.Name)).ToList();
        }
        if (agents.All(a => a.Sft is null && a.Rl is null))
        {
            error.WriteLine($"No self-aware checkpoint under {runs} (expected <agent>/sft or <agent>/rl): run sample, sft and rl first.");
            return SelfAwareCli.BadInput;
        }

        IReadOnlyList<TaskItem> items;
        try { items = SelfAwareCli.SplitItems(taskSplit, itemsPerFamily, families); }
        catch (ArgumentException e) { error.WriteLine(e.Message); return SelfAwareCli.BadInput; }

        var report = new SelfAwareReport(new TaskReplyGrader(items), options);
        SelfAwareReportResult? result = null;
        var rc = SelfAwareCli.RunStage("report selfaware", json ? TextWriter.Null : output, error, progress =>
        {
            result = report.Run(agents, items.Select(TaskQueries.ToQuery).ToList(), progress, ct);
            return SelfAwareCli.Ok;
        });
        if (rc != SelfAwareCli.Ok) return rc;
        if (decisionsFile is not null)
        {
            JsonlFile.WriteAll(decisionsFile, result!.PerQuery);
            if (!json) output.WriteLine($"wrote {decisionsFile} ({result.PerQuery.Count} queries)");
        }

        if (json)
        {
            foreach (var line in SelfAwareJson.Lines(result!)) output.WriteLine(JsonSerializer.Serialize(line, line.GetType()));
            return SelfAwareCli.Ok;
        }
        var costs = agents.Where(a => a.RunDirectory is not null).ToDictionary(a => a.Name, a => (IReadOnlyList<StageReport>)
            new[] { SamplingStage.Name, SftStage.Name, RlStage.Name, $"{CalibrationStage.Name}-{SftStage.CheckpointFolder}", $"{CalibrationStage.Name}-{RlStage.CheckpointFolder}" }
                .Select(s => StageReport.TryLoad(StageReport.PathFor(a.RunDirectory!, s)))
                .Where(s => s is not null).Select(s => s!).ToList());
        AtomicWrite.Text(outFile, SelfAwareMarkdown.Write(result!, command, split, costs.Where(c => c.Value.Count > 0).ToDictionary()));
        foreach (var line in SelfAwareMarkdown.Checks(result!)) output.WriteLine(line);
        output.WriteLine($"wrote {outFile}");
        return SelfAwareCli.Ok;
    }
}
