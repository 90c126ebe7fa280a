using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DiSRouter.Training.Pool;
using DiSRouter.Training.SelfAwareness;

namespace DiSRouter.Training.Evaluation;

/// <summary>
/// <c>report routing [--json]</c>: every routing method (fixed agents, central routers, cascades, Self-Route, the
/// self-aware cascade, Oracle) tuned on the validation split and graded on test, out of domain, a fresh test draw and
/// agent subsets; writes docs/evaluation.md and its SVG plots, or prints one JSON line per method × α × split.
/// </summary>
internal static class RoutingReportCommand
{
    public static Command Create()
    {
        var poolDir = new Option<string?>("--pool-dir") { Description = "Base checkpoints and manifest.json (cascade order, costs); default models/nano-pool." };
        var models = new Option<string?>("--models-dir") { Description = "Folder holding nano-sft/<agent> and nano-selfaware/<agent>; default models/." };
        var agentsOpt = new Option<string?>("--agents") { Description = "Comma-separated subset of agents, kept in cascade order." };
        var items = new Option<int>("--items-per-family") { Description = "Validation and test queries per in-domain family (200: the sets calibration and report selfaware use).", DefaultValueFactory = _ => 200 };
        var oodItems = new Option<int>("--ood-per-family") { Description = "Test queries per reworded (out-of-domain) family.", DefaultValueFactory = _ => 60 };
        var freshItems = new Option<int>("--fresh-per-family") { Description = "Queries per in-domain family of the freshly drawn test set.", DefaultValueFactory = _ => 60 };
        var freshSeed = new Option<int>("--fresh-seed") { Description = "Generator seed of the fresh test draw (the test set is seed 0).", DefaultValueFactory = _ => 1 };
        var alphas = new Option<string>("--alphas") { Description = "The α sweep: a grid start:stop:step or a list; must hold 0.2, 0.5 and 0.8.", DefaultValueFactory = _ => "0,0.1,0.2,0.35,0.5,0.65,0.8,1" };
        var bootstrap = new Option<int>("--bootstrap") { Description = "Paired bootstrap resamples per interval.", DefaultValueFactory = _ => 1000 };
        var transformerEpochs = new Option<int>("--transformer-epochs") { Description = "Most epochs the transformer router trains (the count is chosen on a held-out fifth of validation).", DefaultValueFactory = _ => TransformerRouter.MaxEpochs };
        var parallel = new Option<int>("--parallel") { Description = "Concurrent queries.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var cacheDir = new Option<string?>("--cache") { Description = "Measured replies, reused across runs; default runs/evaluation/cache." };
        var sft = new Option<bool>("--sft") { Description = "Also measure the SFT checkpoints (models/nano-sft) at the named α on test." };
        var validationDecisions = new Option<bool>("--validation-decisions") { Description = "Also measure the served checkpoints' decisions on validation (the recalibration spread)." };
        var servedAnswers = new Option<bool>("--served-answers") { Description = "Grade every method on the served checkpoints' own answers (α = 0.5 prompt) instead of the base models', the central routers fitted on them too: routing among the same agents where training changed what they answer right (needs --validation-decisions)." };
        var probe = new Option<bool>("--probe") { Description = "Also fit a probe of each served checkpoint's hidden state at the decision position on its own answers to training-split queries, and report it (measures decision states on every set, and validation decisions)." };
        var probeTrain = new Option<int?>("--probe-train-per-family") { Description = "Training-split queries per in-domain family the probes are fitted on (default: --items-per-family)." };
        var seedModels = new Option<string?>("--seed-models") { Description = "Comma-separated models folders of other training seeds (layout of --models-dir): their cascades on test in the seed table (decisions on validation and test measured through the cache)." };
        var paperModels = new Option<string?>("--paper-models") { Description = "Models folder of agents trained in the paper's configuration (scripts/selfaware-paper.sh, then scripts/seed-models.sh): adds the row disrouter-paper, greedy decisions in their own scenario wording, on every graded set." };
        var capability = new Option<int>("--capability-samples") { Description = "Samples per test query and base model for its p(x) (temperature 0.5, as the agents' own labels): adds the bound row px-bids, the bids with every agent knowing its p(x) exactly (0: none)." };
        var lastEvery = new Option<bool>("--last-agent-every-alpha") { Description = "Measure the last agent at every α too (by default its answer under the α = 0.5 prompt stands for all: it always answers)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON line per method × α × split instead of writing the report." };
        var outFile = new Option<string?>("--out") { Description = "Where the report goes (default docs/evaluation.md; the plots beside it)." };
        var diagnosis = new Option<bool>("--diagnosis") { Description = "Instead of the report, write docs/selfaware-diagnosis.md: each agent's decisions against its own correctness per family × difficulty, beside the central routers (validation with --validation-decisions, else test)." };
        var command = new Command("routing", "Routing methods against the self-aware cascade: utility, Oracle share, AIQ, APGR, CPT, latency, intervals.")
        {
            poolDir, models, agentsOpt, items, oodItems, freshItems, freshSeed, alphas, bootstrap, transformerEpochs, parallel, cacheDir, sft, validationDecisions, servedAnswers, probe, probeTrain, seedModels, paperModels, capability, lastEvery, json, outFile, diagnosis,
        };
        command.SetAction((parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            IReadOnlyList<double> grid;
            try { grid = SelfAwareCli.ParseAlphas(parse.GetValue(alphas)!); }
            catch (FormatException e) { error.WriteLine(e.Message); return Task.FromResult(SelfAwareCli.BadInput); }
            var root = PoolPaths.RepositoryRoot();
            var options = new RoutingReportOptions
            {
                PoolDirectory = parse.GetValue(poolDir) ?? PoolPaths.PoolDirectory(NanoPool.Name),
                ModelsDirectory = parse.GetValue(models) ?? Path.Combine(root, "models"),
                Agents = SelfAwareCli.ParseList(parse.GetValue(agentsOpt)),
                ItemsPerFamily = parse.GetValue(items),
                OodPerFamily = parse.GetValue(oodItems),
                FreshPerFamily = parse.GetValue(freshItems),
                FreshSeed = parse.GetValue(freshSeed),
                Alphas = grid,
                Sft = parse.GetValue(sft),
                ValidationDecisions = parse.GetValue(validationDecisions),
                ServedAnswers = parse.GetValue(servedAnswers),
                Probe = parse.GetValue(probe),
                ProbeTrainPerFamily = parse.GetValue(probeTrain),
                SeedModels = SelfAwareCli.ParseList(parse.GetValue(seedModels)) ?? [],
                PaperModels = parse.GetValue(paperModels),
                CapabilitySamples = parse.GetValue(capability),
                LastAgentAlpha = parse.GetValue(lastEvery) ? null : 0.5,
                BootstrapResamples = parse.GetValue(bootstrap),
                TransformerEpochs = parse.GetValue(transformerEpochs),
                Parallelism = parse.GetValue(parallel),
                CacheDirectory = parse.GetValue(cacheDir) ?? Path.Combine(root, "runs", "evaluation", "cache"),
            };
            bool diagnose = parse.GetValue(diagnosis);
            return Task.FromResult(Run(options, parse.GetValue(json), parse.GetValue(outFile) ?? Path.Combine(root, "docs", diagnose ? "selfaware-diagnosis.md" : "evaluation.md"),
                ("dotnet run -c Release --project DiSRouter.Training -- report routing " + string.Join(' ', parse.Tokens.Skip(2).Select(t => t.Value))).TrimEnd(),
                parse.InvocationConfiguration.Output, error, ct, diagnose));
        });
        return command;
    }

    public static int Run(RoutingReportOptions options, bool json, string outFile, string command, TextWriter output, TextWriter error, CancellationToken ct, bool diagnose = false)
    {
        if (options.Validate() is { } problem) { error.WriteLine(problem); return SelfAwareCli.BadInput; }
        if (LoadAgents(options, error) is not { } agents) return SelfAwareCli.BadInput;

        var clock = Stopwatch.StartNew();
        var cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
        var loadAtStart = LoadAverage();
        var sets = RoutingQuerySets.Draw(SelfAwareCli.NanoSuite(), options.ItemsPerFamily, options.OodPerFamily, options.FreshPerFamily, options.FreshSeed,
            options.ProbeTrainPerFamily);
        var cache = new ReplyCache(options.CacheDirectory);
        var data = new RoutingData(cache, s => new TaskReplyGrader(sets.Items[s.Name]), options.Parallelism, options.LastAgentAlpha);
        var seeds = new List<List<RoutingAgent>>();
        foreach (var dir in options.SeedModels)
            if (LoadAgents(options with { ModelsDirectory = dir }, error) is { } seedAgents) seeds.Add(seedAgents);
            else return SelfAwareCli.BadInput;
        List<RoutingAgent>? paperAgents = null;
        if (options.PaperModels is { } paperDir && (paperAgents = LoadAgents(options with { ModelsDirectory = paperDir }, error)) is null) return SelfAwareCli.BadInput;
        IReadOnlyList<SetMeasurements>? measured = null, paperMeasured = null;
        var seedMeasured = new List<(string, IReadOnlyList<SetMeasurements>)>();
        var rc = SelfAwareCli.RunStage("report routing", json ? TextWriter.Null : output, error, progress =>
        {
            measured = data.Measure(agents, RoutingReport.Plans(sets, options), progress, ct);
            // Another seed's agents: decisions and answers at the named α on validation (its network cuts) and test (with --sft, its SFT checkpoints too, on validation under the bid prompt for their bid scales: does RL earn its place in every seed).
            var seedPlans = new[] { new MeasurementPlan(sets.Validation, RoutingReportOptions.Named, [], options.Sft ? [RoutingReport.BidAlpha] : []), new MeasurementPlan(sets.Test, RoutingReportOptions.Named, [], options.Sft ? RoutingReportOptions.Named : []) };
            for (int s = 0; s < seeds.Count; s++) seedMeasured.Add((options.SeedModels[s], data.Measure(seeds[s], seedPlans, progress, ct)));
            if (paperAgents is not null) paperMeasured = data.Measure(paperAgents, RoutingReport.PaperPlans(sets, options), progress, ct);
            return SelfAwareCli.Ok;
        });
        if (rc != SelfAwareCli.Ok) return rc;
        double measureSeconds = clock.Elapsed.TotalSeconds;
        if (options.ServedAnswers) measured = RoutingReport.ServedAsBase(measured!);
        if (diagnose) return Diagnose(measured!, options, outFile, command, output);
        var result = new RoutingReport(options).Run(measured!, seedMeasured, paperMeasured) with
        {
            MeasureSeconds = measureSeconds, WallSeconds = clock.Elapsed.TotalSeconds, CacheHits = cache.Hits, CacheMisses = cache.Misses,
            CpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuAtStart).TotalSeconds, LoadAtStart = loadAtStart, LoadAtEnd = LoadAverage(),
            MeasuringCosts = data.Costs,
        };
        if (json)
        {
            foreach (var line in RoutingJson.Lines(result)) output.WriteLine(JsonSerializer.Serialize(line));
            return SelfAwareCli.Ok;
        }
        Write(result, outFile, command, output);
        return SelfAwareCli.Ok;
    }

    /// <summary>The pool's agents in cascade order (the manifest's), with their self-aware checkpoints; null after an error.</summary>
    internal static List<RoutingAgent>? LoadAgents(RoutingReportOptions options, TextWriter error)
    {
        var manifestPath = Path.Combine(options.PoolDirectory, PoolManifest.FileName);
        if (!File.Exists(manifestPath)) { error.WriteLine($"No pool manifest at {manifestPath}: the cascade order and costs come from it."); return null; }
        PoolManifest manifest;
        try { manifest = PoolManifest.Load(manifestPath); }
        catch (InvalidDataException e) { error.WriteLine(e.Message); return null; }
        string? Stored(string store, string name) =>
            File.Exists(Path.Combine(options.ModelsDirectory, store, name, "config.json")) ? Path.Combine(options.ModelsDirectory, store, name) : null;
        var agents = manifest.Models.Select(m => new RoutingAgent(m.Name, m.Cost, Path.Combine(options.PoolDirectory, m.Directory),
            Stored(Commands.ReportCommand.SftStoreName, m.Name), Stored(Commands.ReportCommand.ServedStoreName, m.Name), m.MaxNewTokens)).ToList();
        if (options.Agents is { } wanted)
        {
            var unknown = wanted.Except(agents.Select(a => a.Name)).ToList();
            if (unknown.Count > 0) { error.WriteLine($"Unknown agent(s) {string.Join(", ", unknown)} in {manifestPath}."); return null; }
            agents = agents.Where(a => wanted.Contains(a.Name)).ToList();
        }
        if (agents.Count < 2) { error.WriteLine("Routing needs at least two agents."); return null; }
        if (agents.Count > TransformerRouter.MaxAgents) { error.WriteLine($"The transformer router reads at most {TransformerRouter.MaxAgents} agents; pick a subset with --agents."); return null; }
        if (agents.Any(a => a.Rl is null)) { error.WriteLine($"Every agent needs a self-aware checkpoint under {Path.Combine(options.ModelsDirectory, Commands.ReportCommand.ServedStoreName)}."); return null; }
        return agents;
    }

    private static void Write(RoutingReportResult result, string outFile, string command, TextWriter output)
    {
        var plots = RoutingPlots.Write(result, Path.GetDirectoryName(Path.GetFullPath(outFile))!);
        AtomicWrite.Text(outFile, RoutingMarkdown.Write(result, command, plots));
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine($"wrote {outFile} and {plots.Count} plots in {result.WallSeconds.ToString("0", inv)} s wall, {result.CpuSeconds.ToString("0", inv)} s CPU " +
            $"(measuring {result.MeasureSeconds.ToString("0", inv)} s; cache {result.CacheHits} hits, {result.CacheMisses} misses; " +
            $"load average {result.LoadAtStart} at the start, {result.LoadAtEnd} at the end)");
    }

    // "1.23 4.56 7.89" from /proc/loadavg: the load a figure of this run was measured under.
    private static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "n/a"; }
        catch (UnauthorizedAccessException) { return "n/a"; }
    }

    // Validation where the served decisions were measured there (--validation-decisions), else test: the diagnosis tunes
    // nothing, it only reads where decisions and own correctness part.
    private static int Diagnose(IReadOnlyList<SetMeasurements> measured, RoutingReportOptions options, string outFile, string command, TextWriter output)
    {
        var validation = measured.Single(m => m.Set.Name == RoutingQuerySets.ValidationName);
        bool onValidation = validation.Agents.All(a => RoutingReportOptions.Named.All(a.Rl.ContainsKey));
        var graded = onValidation ? validation : measured.Single(m => m.Set.Name == RoutingQuerySets.TestName);
        var result = SelfAwareDiagnosis.Run(validation, graded, RoutingReportOptions.Named, options.Seed);
        var previous = File.Exists(outFile) ? File.ReadAllText(outFile) : null;
        AtomicWrite.Text(outFile, DiagnosisMarkdown.Write(result, command, previous));
        output.WriteLine($"wrote {outFile} ({result.Split}, {result.Queries} queries)");
        return SelfAwareCli.Ok;
    }
}
