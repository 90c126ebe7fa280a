using DiSRouter.Models;
using DiSRouter.Models.Checkpoints;
using DiSRouter.Models.Tokenization;
using DiSRouter.Models.Training;
using DiSRouter.Training.SelfAwareness;
using Xunit.Abstractions;

namespace DiSRouter.Training.Tests.SelfAwareness;

public sealed class PolicyEngineTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("disrouter-policy-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly TrainerOptions Options = new() { LearningRate = 1e-3, WarmupSteps = 0, TotalSteps = 10, MicroBatchSize = 2 };

    /// <summary>
    /// A random model of ~4.5M parameters (18 MB in float32), large beside the loader's streaming buffer, as a 7B model's
    /// 30 GB are beside it; the byte tokenizer's vocabulary keeps the embedding small, so no one tensor dominates.
    /// </summary>
    private static readonly TransformerConfig Wide = TinyWorld.Config with
    {
        HiddenSize = 256, IntermediateSize = 704, NumHiddenLayers = 6, NumAttentionHeads = 4, NumKeyValueHeads = 2,
    };

    [Fact]
    public void TheTorchEngineOpensACheckpointForTrainingWithoutAFloat32CopyOfTheModelInManagedMemory()
    {
        var dir = Path.Combine(_dir, "wide");
        Checkpoint.Save(dir, TransformerModel.Create(Wide, seed: 1), TinyWorld.Tokenizer);
        long modelBytes = TransformerModel.CreateEmpty(Wide).ParameterCount * sizeof(float);

        PolicyEngine.Open(dir, Options, "cpu").Dispose();   // the first open loads libtorch and JITs the loader; the next ones are measured
        long before = GC.GetAllocatedBytesForCurrentThread();
        using (var torch = PolicyEngine.Open(dir, Options, "cpu"))
        {
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            output.WriteLine($"torch: {allocated} managed bytes allocated opening a {modelBytes}-byte float32 model for training ({100.0 * allocated / modelBytes:0.0} %)");
            // The weights stream through one buffer no larger than the largest tensor (704·256 floats, 4 % of the model);
            // the AdamW moments are allocated on the device.
            Assert.True(allocated < modelBytes / 8, $"{allocated} managed bytes allocated while opening a {modelBytes}-byte (float32) model on torch");
            Assert.Equal(Wide, torch.Config);
        }

        // What the measure sees when the model is held in managed memory: our engine's weights and two moments (3.0× the
        // model, measured); more than twice the model whatever else the trainer allocates lazily.
        before = GC.GetAllocatedBytesForCurrentThread();
        using (PolicyEngine.Open(dir, Options, torchDevice: null))
        {
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            output.WriteLine($"ours: {allocated} managed bytes ({100.0 * allocated / modelBytes:0.0} %)");
            Assert.True(allocated > 2 * modelBytes, $"our engine allocated only {allocated} bytes for a {modelBytes}-byte model");
        }
    }

    [Fact]
    public void ACheckpointTheTorchEngineSavesRoundTripsBitExactlyInFloat32()
    {
        var baseDir = TinyWorld.SaveRandomModel(Path.Combine(_dir, "base"), seed: 2);
        using var torch = PolicyEngine.Open(baseDir, Options, "cpu");

        // Untrained: file → device → file gives the same bytes (our writer's header and metadata, the same float32 bits).
        var untouched = Path.Combine(_dir, "untouched");
        torch.Save(untouched, CheckpointDType.F32);
        Assert.Equal(Weights(baseDir), Weights(untouched));

        // Trained: what is saved is what the device holds, bit for bit: reopened and saved again, the bytes are the same,
        // and our engine reading the file scores as the torch engine that wrote it.
        torch.Step(Batch(torch.Tokenizer));
        var trained = Path.Combine(_dir, "trained");
        torch.Save(trained, CheckpointDType.F32, new Dictionary<string, string> { ["stage"] = "test" });
        Assert.NotEqual(Weights(baseDir), Weights(trained));
        using (var reopened = PolicyEngine.Open(trained, options: null, "cpu"))
        {
            var again = Path.Combine(_dir, "again");
            reopened.Save(again, CheckpointDType.F32, new Dictionary<string, string> { ["stage"] = "test" });
            Assert.Equal(Weights(trained), Weights(again));
        }
        var ours = Checkpoint.Load(trained);
        Assert.Equal("test", ours.Metadata["stage"]);
        var sequences = Batch(torch.Tokenizer).Select(e => e.Tokens).ToList();
        var expected = LogProbs.Compute(ours.Model, sequences);
        var actual = torch.LogProbs(sequences);
        for (int i = 0; i < sequences.Count; i++)
            Assert.True(expected[i].Zip(actual[i], (a, b) => Math.Abs(a - b)).Max() < 1e-4, $"sequence {i}");

        // BF16: the streamed writer rounds as ours does, to the same file.
        var streamed = Path.Combine(_dir, "bf16-torch");
        var managed = Path.Combine(_dir, "bf16-ours");
        torch.Save(streamed, CheckpointDType.BF16);
        Checkpoint.Save(managed, ours.Model, ours.Tokenizer, CheckpointDType.BF16);
        Assert.Equal(Weights(managed), Weights(streamed));
    }

    private static byte[] Weights(string directory) => File.ReadAllBytes(Path.Combine(directory, Checkpoint.WeightsFileName));

    private static List<TrainingExample> Batch(ITokenizer tokenizer) =>
        Enumerable.Range(0, 4).Select(i => ChatFormat.EncodeExample(tokenizer, null, $"What is {i} + {i}?", $"Let's think step by step: {2 * i}."))
            .Select(e => new TrainingExample(e.Tokens, e.LossMask)).ToList();
}
