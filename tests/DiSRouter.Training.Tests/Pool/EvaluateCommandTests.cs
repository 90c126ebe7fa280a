using System.CommandLine;
using System.Text.Json;
using DiSRouter.Core.Tasks;
using DiSRouter.Models;
using DiSRouter.Models.Checkpoints;
using DiSRouter.Models.Tokenization;
using DiSRouter.Training.Commands;
using DiSRouter.Training.Pool;

namespace DiSRouter.Training.Tests.Pool;

public sealed class EvaluateCommandTests
{
    [Fact]
    public void JsonLinesCarryEveryRequiredFieldPerFamilyAndPerDomainInPoolOrder()
    {
        using var dir = new TempDirectory();
        var names = SavePool(dir);

        var lines = EvaluateJson(["--pool-dir", dir.Path, "--split", "test", "--items-per-family", "2", "--json"]);
        var suite = new TaskSuite();
        Assert.Equal(names.Length * (suite.Families.Count + 2), lines.Length);
        foreach (var line in lines)
        {
            Assert.Equal(["model", "family", "domain", "n", "accuracy", "mean_latency_ms", "mean_tokens"], line.EnumerateObject().Select(p => p.Name));
            Assert.Contains(line.GetProperty("domain").GetString(), new[] { "id", "ood" });
            Assert.InRange(line.GetProperty("accuracy").GetDouble(), 0, 1);
            Assert.True(line.GetProperty("mean_latency_ms").GetDouble() > 0);
            Assert.InRange(line.GetProperty("mean_tokens").GetDouble(), 0, 4);
        }
        Assert.Equal(names, lines.Select(l => l.GetProperty("model").GetString()).Distinct());
        foreach (var name in names)
        {
            var mine = lines.Where(l => l.GetProperty("model").GetString() == name).ToArray();
            Assert.Equal(suite.Families.Select(f => f.Name).Append("all").Append("all"), mine.Select(l => l.GetProperty("family").GetString()));
            Assert.All(mine.Where(l => l.GetProperty("family").GetString() != "all"), l => Assert.Equal(2, l.GetProperty("n").GetInt32()));
            Assert.Equal(2 * suite.InDomainFamilies.Count, mine.Single(l => l.GetProperty("family").GetString() == "all" && l.GetProperty("domain").GetString() == "id").GetProperty("n").GetInt32());
            Assert.Equal(2 * suite.OutOfDomainFamilies.Count, mine.Single(l => l.GetProperty("family").GetString() == "all" && l.GetProperty("domain").GetString() == "ood").GetProperty("n").GetInt32());
        }
    }

    [Fact]
    public void FamiliesOptionAsksOnlyTheNamedFamiliesAndRefusesAnUnknownOne()
    {
        using var dir = new TempDirectory();
        var names = SavePool(dir);

        var lines = EvaluateJson(["--pool-dir", dir.Path, "--items-per-family", "3", "--json", "--families", "arithmetic, multiple-choice-reworded"]);
        Assert.Equal(["arithmetic", "multiple-choice-reworded", "all", "all"],
            lines.Where(l => l.GetProperty("model").GetString() == names[0]).Select(l => l.GetProperty("family").GetString()));
        Assert.All(lines, l => Assert.Equal(3, l.GetProperty("n").GetInt32()));

        var refused = new StringWriter();
        int rc = EvaluateCommand.Create().Parse(["--pool-dir", dir.Path, "--families", "arithmetic,poetry"])
            .Invoke(new InvocationConfiguration { Output = refused, Error = refused });
        Assert.Equal(2, rc);
        Assert.Contains("Unknown family poetry", refused.ToString());
    }

    [Fact]
    public void SetAsksInTheWorldAPilotWasTrainedInAndRefusesMemberOverrides()
    {
        using var dir = new TempDirectory();
        SavePool(dir);
        var output = new StringWriter();

        int rc = EvaluateCommand.Create().Parse(["--pool-dir", dir.Path, "--items-per-family", "100", "--families", "arithmetic", "--show", "100",
            "--set", "corpus.arithmetic=TwoDigitProduct", "--models", "small"]).Invoke(new InvocationConfiguration { Output = output, Error = output });

        Assert.True(rc == 0, output.ToString());
        Assert.Matches(@"small arithmetic d5 (RIGHT|WRONG): .*What is \d\d\*\d", output.ToString()); // a two-digit opening, asked
        var refused = new StringWriter();
        rc = EvaluateCommand.Create().Parse(["--pool-dir", dir.Path, "--set", "nano-5.steps=10"]).Invoke(new InvocationConfiguration { Output = refused, Error = refused });
        Assert.Equal(2, rc);
        Assert.Contains("corpus.<field>=<value> only", refused.ToString());
    }

    // Runs `evaluate` with the arguments, expects success, and parses its JSON lines.
    private static JsonElement[] EvaluateJson(string[] args)
    {
        var output = new StringWriter();
        int rc = EvaluateCommand.Create().Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = output });
        Assert.True(rc == 0, output.ToString());
        return output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
    }

    // Two untrained members saved as a pool with a manifest; returns their names in pool order.
    private static string[] SavePool(TempDirectory dir)
    {
        var names = new[] { "small", "large" };
        var config = new TransformerConfig { HiddenSize = 16, IntermediateSize = 32, NumHiddenLayers = 1, NumAttentionHeads = 2, NumKeyValueHeads = 2, TieWordEmbeddings = true };
        var models = names.Select((name, i) =>
        {
            Checkpoint.Save(dir.Sub(name), TransformerModel.Create(config, i), ByteTokenizer.Default);
            return new PoolManifestModel
            {
                Name = name, Directory = name, Config = config, Parameters = 1, Seed = i, Command = "test", DataHash = "x",
                Cost = 0.1 * (i + 1), MaxNewTokens = 4, FlopsPerToken = 1,
                Training = new TrainingInfo { Steps = 0, BatchSize = 1, LearningRate = 0, TokensSeen = 0, FinalLoss = 0, TrainSeconds = 0 },
                Files = PoolManifest.HashFiles(dir.Sub(name)),
            };
        }).ToArray();
        new PoolManifest { Pool = "nano", GeneratorVersion = "test", DataHash = "x", Command = "test", Models = models }
            .Save(dir.Sub(PoolManifest.FileName));
        return names;
    }

    [Fact]
    public void UnknownPoolIsRefusedWithAReason()
    {
        var output = new StringWriter();

        int rc = EvaluateCommand.Create().Parse(["--pool", "giant", "--json"]).Invoke(new InvocationConfiguration { Output = output, Error = output });

        Assert.NotEqual(0, rc);
        Assert.Contains("Unknown pool 'giant'", output.ToString());
    }
}
