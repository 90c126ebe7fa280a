using DiSRouter.Models.Checkpoints;
using DiSRouter.Models.Inference;

namespace DiSRouter.Models.Torch;

/// <summary>
/// The TorchSharp engine for whoever serves checkpoints (an agent with <c>Agent:Engine</c> = torch): the checkpoint's
/// weights read onto the device (<c>cuda</c>, <c>cpu</c> or <c>auto</c>: CUDA when libtorch sees one), in bf16 where the
/// device serves in it (<see cref="OpenDirectory"/>), or copied from a model already loaded (<see cref="Open"/>). Agents create it by name, through the public constructor taking the device, so that they need
/// not reference this assembly.
/// </summary>
public sealed class TorchInferenceEngine(string? device) : IInferenceEngine
{
    public const string EngineName = "torch";

    public string Name => EngineName;

    public ITextGenerator Open(LoadedCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var model = TorchTransformer.FromModel(checkpoint.Model, TorchRuntime.Device(device));
        return new SerialGenerator(new TorchGenerator(model, checkpoint.Tokenizer));
    }

    /// <summary>
    /// Reads the folder straight onto the device, one tensor at a time, never holding the model in host memory as our
    /// loader does: in bf16 where the device serves in it (<see cref="TorchRuntime.ServesInBf16"/>: a bf16 file is then
    /// loaded as it is, 2 bytes a parameter, and a float32 one rounded once), else in float32. The fingerprint is of the
    /// values as the file holds them, so decision.json calibrated on either engine is recognised.
    /// </summary>
    public OpenedCheckpoint OpenDirectory(string directory)
    {
        var dev = TorchRuntime.Device(device);
        var config = ConfigFile.Read(Path.Combine(directory, ConfigFile.FileName));
        var tokenizer = Checkpoint.LoadTokenizer(directory, config);
        var type = TorchRuntime.ServesInBf16(dev) ? TorchSharp.torch.ScalarType.BFloat16 : TorchSharp.torch.ScalarType.Float32;
        using var fingerprint = new WeightsFingerprint.Hasher();
        var model = TorchTransformer.Load(directory, dev, computeType: type, weightType: type, fingerprint: fingerprint);
        long parameters = model.Parameters.Values.Sum(p => p.numel());
        return new OpenedCheckpoint(new SerialGenerator(new TorchGenerator(model, tokenizer)), tokenizer, config, fingerprint.Finish(), parameters);
    }

    /// <summary>
    /// One generation at a time: TorchGenerator is not thread-safe, and on one device the batch inside a call (N
    /// samples decoded together) is where the parallelism is. Callers that run requests side by side queue here.
    /// </summary>
    private sealed class SerialGenerator(TorchGenerator inner) : ITextGenerator
    {
        private readonly Lock _gate = new();

        public IReadOnlyList<GenerationResult> Generate(int[] prompt, GenerationOptions options, Func<int, string, bool>? shouldContinue = null,
            CancellationToken ct = default, GenerationTimings? timings = null)
        {
            lock (_gate) return inner.Generate(prompt, options, shouldContinue, ct, timings);
        }
    }
}
