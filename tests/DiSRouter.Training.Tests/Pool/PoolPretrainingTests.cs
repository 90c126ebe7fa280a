using System.Text.Json.Nodes;
using DiSRouter.Core.Tasks;
using DiSRouter.Training.Pool;

namespace DiSRouter.Training.Tests.Pool;

public sealed class PoolPretrainingTests
{
    [Fact]
    public void ManifestFiguresAreReusedForUnchangedMembersAndMeasuredAgainWhenTheWorldsFamiliesChange()
    {
        using var dir = new TempDirectory();
        var member = NanoPool.Member("tiny", hidden: 16, layers: 1, heads: 2, kvHeads: 2, tied: true, seed: 5, cost: 0.1, steps: 2, lr: 1e-2f)
            with { BatchSize = 2, MicroBatchSize = 2, WarmupSteps = 0, MaxNewTokens = 4 };
        var options = new PoolPretraining.Options
        {
            PoolDirectory = dir.Sub("pool"), WorkDirectory = dir.Sub("work"), Command = "test", Members = [member],
            Corpus = new CorpusSpec { ItemsPerFamily = 8, FactPasses = 1 }, EvalItemsPerFamily = 1, Parallelism = 1,
        };
        var manifestPath = Path.Combine(options.PoolDirectory, PoolManifest.FileName);
        int Run() => PoolPretraining.Run(options, SilentReporter.Instance, CancellationToken.None);
        void Stamp(Action<JsonObject> edit)
        {
            var json = JsonNode.Parse(File.ReadAllText(manifestPath))!.AsObject();
            edit(json);
            File.WriteAllText(manifestPath, json.ToJsonString());
        }
        double InDomain() => PoolManifest.Load(manifestPath).Models.Single().Accuracy!.InDomain;

        Assert.Equal(0, Run());
        Assert.Equal(NanoWorld.Suite(options.Corpus).Families.Select(f => f.Name), PoolManifest.Load(manifestPath).Evaluation!.Families);

        // A marker in place of the measured figure survives a rerun: nothing changed, so nothing is measured again.
        Stamp(j => j["models"]![0]!["accuracy"]!["id"] = 0.777);
        Assert.Equal(0, Run());
        Assert.Equal(0.777, InDomain());

        // A manifest measured on fewer families (one written before a family was added) is measured again.
        Stamp(j => j["evaluation"]!["families"] = new JsonArray(TaskFamilies.Arithmetic));
        Assert.Equal(0, Run());
        Assert.NotEqual(0.777, InDomain());
        Assert.Contains(TaskFamilies.ArithmeticReworded, PoolManifest.Load(manifestPath).Evaluation!.Families!);
    }

    [Fact]
    public void MembersTrainedOnTwoLanesEndWithTheSameWeightsAsMembersTrainedOneAfterTheOther()
    {
        using var dir = new TempDirectory();
        PoolMemberSpec Tiny(string name, int hidden, int seed) =>
            NanoPool.Member(name, hidden: hidden, layers: 1, heads: 2, kvHeads: 2, tied: true, seed: seed, cost: 0.1, steps: 6, lr: 1e-2f)
            with { BatchSize = 2, MicroBatchSize = 2, WarmupSteps = 0, MaxNewTokens = 4 };
        PoolMemberSpec[] members = [Tiny("tiny-a", 16, 5), Tiny("tiny-b", 32, 6), Tiny("tiny-c", 16, 7)];
        int engineThreads = Models.Kernels.EngineThreads.Count;
        IReadOnlyDictionary<string, string> Train(string name, int lanes)
        {
            var options = new PoolPretraining.Options
            {
                PoolDirectory = dir.Sub(name + "/pool"), WorkDirectory = dir.Sub(name + "/work"), Command = "test", Members = members,
                Corpus = new CorpusSpec { ItemsPerFamily = 8, FactPasses = 1 }, Evaluate = false, Lanes = lanes,
            };
            Assert.Equal(0, PoolPretraining.Run(options, SilentReporter.Instance, CancellationToken.None));
            return members.SelectMany(m => PoolManifest.HashFiles(Path.Combine(options.PoolDirectory, m.Name)).Select(f => (m.Name + "/" + f.Key, f.Value)))
                .ToDictionary();
        }

        var oneByOne = Train("one", lanes: 1);
        var twoLanes = Train("two", lanes: 2);

        Assert.Equal(3 * 3, oneByOne.Count);                       // config, weights, tokenizer of each member
        Assert.Equal(oneByOne.OrderBy(f => f.Key), twoLanes.OrderBy(f => f.Key));
        Assert.Equal(engineThreads, Models.Kernels.EngineThreads.Count);
    }
}
