using DiSRouter.Models.Checkpoints;
using DiSRouter.Models.Inference;
using DiSRouter.Models.Tokenization;
using Generator = DiSRouter.Models.Inference.Generator;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiSRouter.Models.Torch.Tests;

public sealed class TorchInferenceEngineTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("torch-engine-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly GenerationOptions Greedy = new() { MaxNewTokens = 48, ReusePrefix = false };

    /// <summary>nano-5 (six layers, the largest member) saved with BF16 weights, as Qwen2.5 checkpoints are published.</summary>
    private string Bf16Checkpoint()
    {
        var ckpt = Checkpoint.Load(NanoCheckpoints.Pool(5));
        var dir = Path.Combine(_dir, "nano-5-bf16");
        Checkpoint.Save(dir, ckpt.Model, ckpt.Tokenizer, CheckpointDType.BF16);
        return dir;
    }

    [Fact]
    public void ABf16CheckpointOpensStraightOntoTheDeviceWithoutAFloat32CopyOfTheModelInHostMemory()
    {
        var dir = Bf16Checkpoint();
        var ours = Checkpoint.Load(dir);
        long modelBytes = ours.Model.ParameterCount * sizeof(float);

        var engine = new TorchInferenceEngine("cpu");
        engine.OpenDirectory(dir); // the first open loads libtorch and JITs the loader; the second is the one measured
        long before = GC.GetAllocatedBytesForCurrentThread();
        var opened = engine.OpenDirectory(dir);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Our loader allocates the whole model as float32; this one a buffer per tensor size (a layer's worth).
        output.WriteLine($"managed bytes allocated by the open: {allocated} of a {modelBytes}-byte float32 model ({100.0 * allocated / modelBytes:0.0} %)");
        Assert.True(allocated < modelBytes / 4, $"{allocated} managed bytes allocated while opening a {modelBytes}-byte (float32) model");
        Assert.Equal(WeightsFingerprint.Of(ours.Model), opened.WeightsFingerprint);
        Assert.Equal((ours.Model.ParameterCount, ours.Model.Config), (opened.ParameterCount, opened.Config));
        var reference = new Generator(ours.Model, ours.Tokenizer);
        foreach (var (system, question) in NanoCheckpoints.EvaluationPrompts(1).Take(6))
        {
            var prompt = ChatFormat.EncodePrompt(ours.Tokenizer, system, question);
            Assert.Equal(reference.Generate(prompt, Greedy)[0].TokenIds, opened.Generator.Generate(prompt, Greedy)[0].TokenIds);
        }
    }

    [Fact]
    public void Bf16WeightsLoadAsBf16TensorsAtTwoBytesAParameterAndComputeCloseToFloat32()
    {
        var dir = Bf16Checkpoint();
        var ours = Checkpoint.Load(dir);
        using var model = TorchTransformer.Load(dir, CPU, computeType: ScalarType.BFloat16, weightType: ScalarType.BFloat16);

        Assert.All(model.Parameters.Values, p => Assert.Equal(ScalarType.BFloat16, p.dtype));
        Assert.Equal(2 * ours.Model.ParameterCount, model.Parameters.Values.Sum(p => p.numel() * p.element_size()));
        // bf16 → float32 is exact, so the weights are the file's to the bit.
        foreach (var p in ours.Model.Parameters) Assert.Equal(p.Data, TorchTransformer.Read(model.Parameters[p.Name]));
        foreach (var (system, question) in NanoCheckpoints.EvaluationPrompts(1).Take(4))
        {
            var ids = ChatFormat.EncodePrompt(ours.Tokenizer, system, question);
            var expected = ForwardPass.Logits(ours.Model, ids, 1, ids.Length);
            var actual = model.Logits(ids, 1, ids.Length);
            // Activations rounded to bf16 (8 bits of mantissa) at every layer: logits of magnitude ~20 move by ~0.2 (measured).
            float scale = expected.Max(Math.Abs), diff = TorchTransformerTests.MaxAbsDiff(expected, actual);
            output.WriteLine($"bf16 compute: max |Δlogit| {diff:0.0000} against logits up to {scale:0.00}");
            Assert.True(diff < 0.02f * scale, $"max |Δlogit| {diff} against logits up to {scale}");
        }
    }
}
