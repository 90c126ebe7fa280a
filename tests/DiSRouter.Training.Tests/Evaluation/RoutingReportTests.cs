using System.Text.Json;
using System.Xml.Linq;
using DiSRouter.Core.Scenarios;
using DiSRouter.Core.Tasks;
using DiSRouter.Models;
using DiSRouter.Models.Checkpoints;
using DiSRouter.Training.Evaluation;
using DiSRouter.Training.Pool;
using DiSRouter.Training.SelfAwareness;
using DiSRouter.Training.Tests.Pool;
using DiSRouter.Training.Tests.SelfAwareness;

namespace DiSRouter.Training.Tests.Evaluation;

/// <summary>
/// The report end to end on a tiny pool: five untrained members (base and "self-aware" checkpoints alike random),
/// the real nano world's queries, two per family. nano-1's decision.json answers at every α, so the self-aware cascade
/// must send every query to nano-1, whatever the other agents decide.
/// </summary>
public class RoutingReportTests
{
    private static readonly string[] Names = ["nano-1", "nano-2", "nano-3", "nano-4", "nano-5"];

    internal static RoutingReportOptions SaveTinyPool(TempDirectory dir)
    {
        var pool = dir.Sub("pool");
        var models = Names.Select((name, i) =>
        {
            Checkpoint.Save(Path.Combine(pool, name), TransformerModel.Create(TinyWorld.Config, i), TinyWorld.Tokenizer);
            var served = Path.Combine(dir.Sub("models"), Training.Commands.ReportCommand.ServedStoreName, name);
            var model = TransformerModel.Create(TinyWorld.Config, 100 + i);
            Checkpoint.Save(served, model, TinyWorld.Tokenizer);
            if (i == 0)
                new DecisionThresholds
                {
                    AnswerText = AnswerTemplate.Opening, RejectText = ScenarioPrompt.RejectText, WeightsSha256 = WeightsFingerprint.Of(model),
                    Points = [new DecisionPoint(0, -1e9, 1, 0, 0, 0), new DecisionPoint(1, -1e9, 1, 0, 0, 0)],
                }.Write(served);
            return new PoolManifestModel
            {
                Name = name, Directory = name, Config = TinyWorld.Config, Parameters = 1, Seed = i, Command = "test", DataHash = "x",
                Cost = new[] { 0.1, 0.2, 0.4, 0.7, 0.9 }[i], MaxNewTokens = 3, FlopsPerToken = 1,
                Training = new TrainingInfo { Steps = 0, BatchSize = 1, LearningRate = 0, TokensSeen = 0, FinalLoss = 0, TrainSeconds = 0 },
                Files = PoolManifest.HashFiles(Path.Combine(pool, name)),
            };
        }).ToArray();
        new PoolManifest { Pool = "nano", GeneratorVersion = "test", DataHash = "x", Command = "test", Models = models }.Save(Path.Combine(pool, PoolManifest.FileName));
        return new RoutingReportOptions
        {
            PoolDirectory = pool, ModelsDirectory = dir.Sub("models"), CacheDirectory = dir.Sub("cache"),
            ItemsPerFamily = 2, OodPerFamily = 1, FreshPerFamily = 1, BootstrapResamples = 100, Parallelism = 2, ValidationDecisions = true, TransformerEpochs = 2,
        };
    }

    private static (int Rc, string Output) Run(RoutingReportOptions options, bool json, string outFile)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int rc = RoutingReportCommand.Run(options, json, outFile, "report routing (test)", output, error, CancellationToken.None);
        return (rc, output + error.ToString());
    }

    [Fact]
    public void TheReportRunsEndToEndOnATinyPoolAndARerunReadsEveryReplyFromTheCache()
    {
        using var dir = new TempDirectory();
        var options = SaveTinyPool(dir);
        var doc = dir.Sub("docs/evaluation.md");

        var (rc, output) = Run(options, json: false, doc);
        Assert.True(rc == 0, output);
        var markdown = File.ReadAllText(doc);
        foreach (var method in new[] { "oracle", "best-fixed", "logistic-ngram", "transformer", "mf", "knn", "lookup-ceiling", "self-route", "confidence-cascade", "frugal-cascade", "automix-cascade", "automix-verdict", "**disrouter**", "disrouter-greedy" })
            Assert.Contains($"| {method} |", markdown);
        Assert.Contains("## Out of domain", markdown);
        Assert.Contains("## Fresh test draw", markdown);
        Assert.Contains("## Subset: agents 2,3,5", markdown);
        Assert.Contains("## Subset: agents 1,3,5", markdown);
        Assert.Contains("thresholds recalibrated at the named α", markdown);
        foreach (var plot in new[] { RoutingPlots.UtilityFile, RoutingPlots.FrontierFile, RoutingPlots.AnswerRateFile })
        {
            Assert.Contains($"]({plot})", markdown);
            Assert.Equal("svg", XDocument.Load(dir.Sub("docs/" + plot)).Root!.Name.LocalName);
        }
        Assert.Contains("0 hits", output);

        var (rc2, jsonOut) = Run(options, json: true, doc);
        Assert.True(rc2 == 0, jsonOut);
        var lines = jsonOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var methods = lines.Where(l => l.GetProperty("kind").GetString() == "method").ToList();
        // One line per method × named α × split (all agents), and the subsets on test.
        foreach (var split in new[] { "test", "ood", "fresh-test" })
            foreach (var alpha in new[] { 0.2, 0.5, 0.8 })
                Assert.Equal(1, methods.Count(l => l.GetProperty("split").GetString() == split && l.GetProperty("agents").GetString() == "all"
                    && l.GetProperty("alpha").GetDouble() == alpha && l.GetProperty("method").GetString() == "disrouter"));
        Assert.Contains(methods, l => l.GetProperty("agents").GetString() == "2,3,5");
        Assert.Contains(lines, l => l.GetProperty("kind").GetString() == "curve" && l.GetProperty("method").GetString() == "disrouter");

        // nano-1 answers at every α by its thresholds: the cascade charges its cost on every query.
        foreach (var d in methods.Where(l => l.GetProperty("method").GetString() == "disrouter" && l.GetProperty("agents").GetString() == "all"))
            Assert.Equal(0.1, d.GetProperty("cost").GetDouble(), 9);
        // Oracle's utility bounds every method graded by the base models' answers (the self-aware agents answer with their own).
        foreach (var group in methods.GroupBy(l => (l.GetProperty("split").GetString(), l.GetProperty("agents").GetString(), l.GetProperty("alpha").GetDouble())))
        {
            double oracle = group.Single(l => l.GetProperty("method").GetString() == "oracle").GetProperty("utility").GetDouble();
            Assert.All(group.Where(l => !l.GetProperty("method").GetString()!.StartsWith("disrouter", StringComparison.Ordinal)),
                l => Assert.True(l.GetProperty("utility").GetDouble() <= oracle + 1e-9, l.ToString()));
        }

        var (rc3, rerun) = Run(options, json: false, doc);
        Assert.True(rc3 == 0, rerun);
        Assert.Contains(" 0 misses", rerun);
    }

    [Fact]
    public void CapabilitySamplesMeasureEachBaseModelsPxOnTestThroughTheCacheAndAddTheBoundRow()
    {
        using var dir = new TempDirectory();
        var options = SaveTinyPool(dir) with { CapabilitySamples = 2 };
        var doc = dir.Sub("docs/evaluation.md");
        var (rc, output) = Run(options, json: false, doc);
        Assert.True(rc == 0, output);
        var markdown = File.ReadAllText(doc);
        Assert.Contains("| px-bids |", markdown);
        Assert.Contains("`px-bids` is a bound, not a method", markdown);
        // One p(x) file per base model, for the test split only, and a rerun reads them back.
        var files = Directory.GetFiles(options.CacheDirectory, "capability-0.50-2-*.jsonl", SearchOption.AllDirectories);
        Assert.Equal(Names.Length, files.Length);
        Assert.All(files, f => Assert.All(File.ReadAllLines(f), l => Assert.InRange(JsonDocument.Parse(l).RootElement.GetProperty("p").GetDouble(), 0, 1)));
        var (rc2, rerun) = Run(options, json: false, doc);
        Assert.True(rc2 == 0, rerun);
        Assert.Contains(" 0 misses", rerun);
        Assert.Equal(SelfAwareCli.BadInput, Run(options with { CapabilitySamples = -1 }, json: true, dir.Sub("x.md")).Rc);
    }

    [Fact]
    public void ASweepWithoutTheNamedScenariosIsRefused()
    {
        using var dir = new TempDirectory();
        var options = SaveTinyPool(dir) with { Alphas = [0, 0.5, 1] };
        var (rc, output) = Run(options, json: true, dir.Sub("x.md"));
        Assert.Equal(SelfAwareCli.BadInput, rc);
        Assert.Contains("0.2, 0.5 and 0.8", output);
    }

    [Fact]
    public void ServedAnswersWithoutTheValidationDecisionsTheRoutersWouldBeFittedOnAreRefused()
    {
        using var dir = new TempDirectory();
        var (rc, output) = Run(SaveTinyPool(dir) with { ServedAnswers = true, ValidationDecisions = false }, json: true, dir.Sub("x.md"));
        Assert.Equal(SelfAwareCli.BadInput, rc);
        Assert.Contains("--served-answers needs --validation-decisions", output);
    }

    /// <summary>
    /// Agents trained in the paper's configuration (another models folder, their checkpoints recording the full wording)
    /// add the row disrouter-paper on every graded split and subset, measured in their own wording: the cache files of
    /// their self-aware passes name it, so compact and full-text passes never share a file.
    /// </summary>
    [Fact]
    public void PaperModelsAddTheRowDisrouterPaperOnEverySplitPromptedInTheirOwnWording()
    {
        using var dir = new TempDirectory();
        var options = SaveTinyPool(dir);
        var paper = dir.Sub("paper-models");
        for (int i = 0; i < Names.Length; i++)
        {
            var served = Path.Combine(paper, Training.Commands.ReportCommand.ServedStoreName, Names[i]);
            Checkpoint.Save(served, TransformerModel.Create(TinyWorld.Config, 200 + i), TinyWorld.Tokenizer);
            ScenarioPromptFile.Write(served, ScenarioPromptStyle.Full);
        }

        var (rc, output) = Run(options with { PaperModels = paper, ValidationDecisions = false }, json: true, dir.Sub("docs/evaluation.md"));

        Assert.True(rc == 0, output);
        var methods = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(l => l.GetProperty("kind").GetString() == "method").ToList();
        foreach (var split in new[] { "test", "ood", "fresh-test" })
            foreach (var alpha in new[] { 0.2, 0.5, 0.8 })
                Assert.Equal(1, methods.Count(l => l.GetProperty("split").GetString() == split && l.GetProperty("agents").GetString() == "all"
                    && l.GetProperty("alpha").GetDouble() == alpha && l.GetProperty("method").GetString() == RoutingReport.DiSRouterPaper));
        Assert.Contains(methods, l => l.GetProperty("agents").GetString() == "2,3,5" && l.GetProperty("method").GetString() == RoutingReport.DiSRouterPaper);
        // The served agents' passes stay compact (no style in their kinds); the paper agents' passes are full-text ones.
        var files = Directory.GetFiles(options.CacheDirectory, "decide*", SearchOption.AllDirectories).Select(Path.GetFileName).ToList();
        Assert.Contains(files, f => f!.StartsWith("decide-full-0.20-", StringComparison.Ordinal));
        Assert.Contains(files, f => f!.StartsWith("decide-0.20-", StringComparison.Ordinal));

        // The written report (every reply now cached) names the row and no longer lists the paper's configuration as not done.
        var markdownFile = dir.Sub("docs/evaluation.md");
        (rc, output) = Run(options with { PaperModels = paper, ValidationDecisions = false }, json: false, markdownFile);
        Assert.True(rc == 0, output);
        var markdown = File.ReadAllText(markdownFile);
        Assert.Contains("| disrouter-paper |", markdown);
        Assert.Contains("The paper's configuration (`disrouter-paper`) still departs from it in the context", markdown);
        Assert.DoesNotContain("where `--paper-models` gives them", markdown);
    }
}
