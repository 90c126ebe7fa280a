using DiSRouter.Models.Checkpoints;
using DiSRouter.Models.Inference;
using DiSRouter.Models.Tokenization;
using static TorchSharp.torch;

namespace DiSRouter.Models.Torch.Tests;

public sealed class TorchTransformerTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    public void NanoPoolLogitsMatchTheManagedEngineWithinOneTenThousandth(int member)
    {
        var dir = NanoCheckpoints.Pool(member);
        var ckpt = Checkpoint.Load(dir);
        using var torchModel = TorchTransformer.Load(dir, CPU);
        foreach (var (system, question) in NanoCheckpoints.EvaluationPrompts(1).Take(6))
        {
            var ids = ChatFormat.EncodePrompt(ckpt.Tokenizer, system, question);
            var expected = ForwardPass.Logits(ckpt.Model, ids, 1, ids.Length);
            var actual = Logits(torchModel, ids);
            Assert.Equal(expected.Length, actual.Length);
            Assert.True(MaxAbsDiff(expected, actual) < 1e-4, $"nano-{member}: max |Δlogit| = {MaxAbsDiff(expected, actual)} on '{question}'");
        }
    }

    [Fact]
    public void WeightsCopiedFromAModelEqualThoseLoadedFromItsFile()
    {
        var ckpt = Checkpoint.Load(NanoCheckpoints.Pool(2));
        using var fromModel = TorchTransformer.FromModel(ckpt.Model, CPU);
        using var fromFile = TorchTransformer.Load(NanoCheckpoints.Pool(2), CPU);
        Assert.Equal(ckpt.Model.Parameters.Select(p => p.Name), fromFile.Parameters.Keys);
        foreach (var p in ckpt.Model.Parameters)
        {
            Assert.Equal(p.Data, TorchTransformer.Read(fromFile.Parameters[p.Name]));
            Assert.Equal(p.Data, TorchTransformer.Read(fromModel.Parameters[p.Name]));
        }
    }

    [Fact]
    public void SavedCheckpointLoadsInTheManagedEngineWithEqualWeights()
    {
        var dir = Directory.CreateTempSubdirectory("torch-save-").FullName;
        try
        {
            var ckpt = Checkpoint.Load(NanoCheckpoints.Pool(1));
            using var torchModel = TorchTransformer.Load(NanoCheckpoints.Pool(1), CPU);
            torchModel.Save(dir, ckpt.Tokenizer);
            var reloaded = Checkpoint.Load(dir);
            foreach (var p in ckpt.Model.Parameters) Assert.Equal(p.Data, reloaded.Model.Find(p.Name)!.Data);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void ATensorOfTheWrongShapeIsRefusedByName()
    {
        var dir = Directory.CreateTempSubdirectory("torch-bad-").FullName;
        try
        {
            var ckpt = Checkpoint.Load(NanoCheckpoints.Pool(1));
            Checkpoint.Save(dir, ckpt.Model, ckpt.Tokenizer);
            ConfigFile.Write(Path.Combine(dir, ConfigFile.FileName), ckpt.Model.Config with { IntermediateSize = ckpt.Model.Config.IntermediateSize + 32 });
            var e = Assert.Throws<CheckpointException>(() => TorchTransformer.Load(dir, CPU));
            Assert.Contains("mlp.gate_proj.weight", e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Bf16ComputeStaysNearFloat32AndSeesEveryUpdate()
    {
        var ckpt = Checkpoint.Load(NanoCheckpoints.Pool(2));
        using var fp32 = TorchTransformer.FromModel(ckpt.Model, CPU);
        using var bf16 = TorchTransformer.FromModel(ckpt.Model, CPU, ScalarType.BFloat16);
        var ids = ChatFormat.EncodePrompt(ckpt.Tokenizer, null, NanoCheckpoints.EvaluationPrompts(1)[0].Question);
        var exact = Logits(fp32, ids);
        var before = Logits(bf16, ids);
        float scale = exact.Max(Math.Abs);
        Assert.True(MaxAbsDiff(exact, before) < 0.05f * scale, $"bf16 drifts {MaxAbsDiff(exact, before)} on logits of scale {scale}");

        // Serving with bf16 weights alone (no float32 master) computes the same bf16 logits.
        using var bf16Only = TorchTransformer.Load(NanoCheckpoints.Pool(2), CPU, ScalarType.BFloat16, ScalarType.BFloat16);
        Assert.Equal(ScalarType.BFloat16, bf16Only.Parameters["model.norm.weight"].dtype);
        Assert.True(MaxAbsDiff(before, Logits(bf16Only, ids)) < 1e-6f);

        // A training step in bf16 updates the float32 master weights, and inference afterwards reads the new ones.
        using var trainer = new TorchTrainer(bf16, new Training.TrainerOptions { LearningRate = 1e-2 });
        var (tokens, mask) = ChatFormat.EncodeExample(ckpt.Tokenizer, null, "2 + 2?", "4");
        trainer.Step([new Training.TrainingExample(tokens, mask)]);
        Assert.True(MaxAbsDiff(before, Logits(bf16, ids)) > 1e-3f);
    }

    internal static float[] Logits(TorchTransformer model, int[] ids) => model.Logits(ids, 1, ids.Length);

    internal static float MaxAbsDiff(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
        return max;
    }
}
