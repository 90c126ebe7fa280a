using System.Text.Json.Nodes;
using DiSRouter.Core.Tasks;
using DiSRouter.Training.Pool;

namespace DiSRouter.Training.Tests.Pool;

// Alone: training on lanes shares the engine's threads out by setting their count, which is process-wide.
[Collection(nameof(PoolPretrainingTests))]
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

        // A marker in place of the measured figure survives a rerun: nothing changed, so nothing is measured again,
        // and the line saying how the figures were measured stays with them.
        Stamp(j => { j["models"]![0]!["accuracy"]!["id"] = 0.777; j["evaluation"]!["machine"] = "where it was measured"; });
        Assert.Equal(0, Run());
        Assert.Equal(0.777, InDomain());
        Assert.Equal("where it was measured", PoolManifest.Load(manifestPath).Evaluation!.Machine);

        // A manifest measured on fewer families (one written before a family was added) is measured again.
        Stamp(j => j["evaluation"]!["families"] = new JsonArray(TaskFamilies.Arithmetic));
        Assert.Equal(0, Run());
        Assert.NotEqual(0.777, InDomain());
        Assert.Contains(TaskFamilies.ArithmeticReworded, PoolManifest.Load(manifestPath).Evaluation!.Families!);
    }

    [Fact]
    public void TwoLanesTrainTwoMembersAtOnceOnTheirOwnThreadsAndFinishEveryMember()
    {
        using var dir = new TempDirectory();
        var members = ThreeTinyMembers(steps: 30);
        int engineThreads = Models.Kernels.EngineThreads.Count;
        var options = new PoolPretraining.Options
        {
            PoolDirectory = dir.Sub("pool"), WorkDirectory = dir.Sub("work"), Command = "test", Members = members,
            Corpus = new CorpusSpec { ItemsPerFamily = 8, FactPasses = 1 }, Evaluate = false, Lanes = 2,
        };
        var reporter = new RecordingReporter();

        Assert.Equal(0, PoolPretraining.Run(options, reporter, CancellationToken.None));

        var corpus = NanoWorld.BuildCorpus(options.Corpus, Models.Tokenization.ByteTokenizer.Default);
        foreach (var m in members)
        {
            Assert.True(new ModelPretrainer(m, corpus, Models.Tokenization.ByteTokenizer.Default).IsFinished(Path.Combine(options.PoolDirectory, m.Name), out var info));
            Assert.Equal(30, info!.Steps);
        }
        // The costliest member (tiny-b) starts with the first pair; while it trains, the other lane trains another member
        // on another thread.
        Assert.Contains("tiny-b", reporter.Started.Take(2).Select(s => s.Member));
        Assert.Equal(2, reporter.Started.Select(s => s.Thread).Distinct().Count());
        Assert.True(reporter.MostAtOnce == 2, $"at most {reporter.MostAtOnce} member(s) trained at once");
        Assert.Equal(engineThreads, Models.Kernels.EngineThreads.Count);
    }

    [Fact]
    public void MembersTrainedOnTwoLanesEndWithTheSameWeightsAsMembersTrainedOneAfterTheOther()
    {
        using var dir = new TempDirectory();
        var members = ThreeTinyMembers(steps: 6);
        // The weights, not the files' hashes: a checkpoint's metadata carries its training time.
        Dictionary<string, float[]> Train(string name, int lanes)
        {
            var options = new PoolPretraining.Options
            {
                PoolDirectory = dir.Sub(name + "/pool"), WorkDirectory = dir.Sub(name + "/work"), Command = "test", Members = members,
                Corpus = new CorpusSpec { ItemsPerFamily = 8, FactPasses = 1 }, Evaluate = false, Lanes = lanes,
            };
            Assert.Equal(0, PoolPretraining.Run(options, SilentReporter.Instance, CancellationToken.None));
            return members.SelectMany(m => Models.Checkpoints.Checkpoint.Load(Path.Combine(options.PoolDirectory, m.Name)).Model.Parameters
                .Select(p => (m.Name + "/" + p.Name, p.Data))).ToDictionary();
        }

        var oneByOne = Train("one", lanes: 1);
        var twoLanes = Train("two", lanes: 2);

        Assert.Equal(oneByOne.Keys.Order(), twoLanes.Keys.Order());
        Assert.All(oneByOne, w => Assert.True(w.Value.AsSpan().SequenceEqual(twoLanes[w.Key]), $"{w.Key} differs"));
        Assert.Contains(oneByOne, w => w.Value.Any(x => x != 0f));
    }

    [Fact]
    public void ALaneWithNothingLeftToTrainEvaluatesTheFinishedMembersWithTheFiguresOfOneLane()
    {
        using var dir = new TempDirectory();
        var members = ThreeTinyMembers(steps: 12).Select(m => m.Name == "tiny-b" ? m with { Steps = 60 } : m).ToArray();
        PoolManifest Train(string name, int lanes, IPoolReporter reporter)
        {
            var options = new PoolPretraining.Options
            {
                PoolDirectory = dir.Sub(name + "/pool"), WorkDirectory = dir.Sub(name + "/work"), Command = "test", Members = members,
                Corpus = new CorpusSpec { ItemsPerFamily = 8, FactPasses = 1 }, EvalItemsPerFamily = 2, Parallelism = 1, Lanes = lanes,
            };
            Assert.Equal(0, PoolPretraining.Run(options, reporter, CancellationToken.None));
            return PoolManifest.Load(Path.Combine(options.PoolDirectory, PoolManifest.FileName));
        }
        // tiny-b's steps are slowed so that the other lane runs out of members to train long before it finishes.
        var reporter = new RecordingReporter { SlowMember = "tiny-b" };

        var twoLanes = Train("two", lanes: 2, reporter);
        var oneLane = Train("one", lanes: 1, SilentReporter.Instance);

        Assert.Equal(members.Select(m => m.Name), twoLanes.Models.Select(m => m.Name));
        Assert.True(reporter.EvaluatedWhileTraining >= 1, "no member was evaluated while another still trained");
        Assert.Contains("on a free lane beside training", twoLanes.Evaluation!.Machine);
        Assert.DoesNotContain("free lane", oneLane.Evaluation!.Machine);
        foreach (var (two, one) in twoLanes.Models.Zip(oneLane.Models))
        {
            Assert.Equal((one.Accuracy!.InDomain, one.Accuracy.OutOfDomain), (two.Accuracy!.InDomain, two.Accuracy.OutOfDomain));
            Assert.Equal(one.Accuracy.Families, two.Accuracy.Families);
            Assert.Equal(one.MeanTokens, two.MeanTokens);
        }
    }

    // Three members of two sizes; the wider one costs most, so it is the one a lane starts with.
    private static PoolMemberSpec[] ThreeTinyMembers(int steps)
    {
        PoolMemberSpec Tiny(string name, int hidden, int seed) =>
            NanoPool.Member(name, hidden: hidden, layers: 1, heads: 2, kvHeads: 2, tied: true, seed: seed, cost: 0.1, steps: steps, lr: 1e-2f)
            with { BatchSize = 2, MicroBatchSize = 2, WarmupSteps = 0, MaxNewTokens = 4 };
        return [Tiny("tiny-a", 16, 5), Tiny("tiny-b", 32, 6), Tiny("tiny-c", 16, 7)];
    }

    // Records which thread starts each member's training bar and how many bars are open at once.
    private sealed class RecordingReporter : IPoolReporter, IPoolProgress
    {
        private int _open, _training;
        public List<(string Member, int Thread)> Started { get; } = [];
        public int MostAtOnce { get; private set; }

        /// <summary>Evaluation bars opened while a training bar was open.</summary>
        public int EvaluatedWhileTraining { get; private set; }

        /// <summary>A member whose every training step is slowed, so that it is the last to finish.</summary>
        public string? SlowMember { get; init; }

        public int Run(Func<IPoolProgress, int> body) => body(this);
        public void Info(string line) { }

        public IProgressBar Bar(string description, double maxValue)
        {
            var parts = description.Split(' ');
            bool training = parts.Length > 1 && parts[1] == "training";
            lock (Started)
            {
                Started.Add((parts[0], Environment.CurrentManagedThreadId));
                MostAtOnce = Math.Max(MostAtOnce, ++_open);
                if (training) _training++;
                else if (_training > 0) EvaluatedWhileTraining++;
            }
            return new Closing(this, training, training && parts[0] == SlowMember);
        }

        private sealed class Closing(RecordingReporter owner, bool training, bool slow) : IProgressBar
        {
            public void Update(double value, string? description = null)
            {
                // Slow the first steps a little so that the lanes overlap even on a loaded machine.
                if (value < 3 || slow) Thread.Sleep(20);
            }

            public void Finish(string? description = null)
            {
                lock (owner.Started)
                {
                    owner._open--;
                    if (training) owner._training--;
                }
            }
        }
    }
}

[CollectionDefinition(nameof(PoolPretrainingTests), DisableParallelization = true)]
public sealed class PoolPretrainingCollection;
