using DiSRouter.Models.Checkpoints;
using DiSRouter.Models.Inference;

namespace DiSRouter.Models.Torch;

/// <summary>
/// The TorchSharp engine for whoever serves checkpoints (an agent with <c>Agent:Engine</c> = torch): the checkpoint's
/// weights copied onto the device (<c>cuda</c>, <c>cpu</c> or <c>auto</c>: CUDA when libtorch sees one), in its compute
/// type (bf16 on CUDA). Agents create it by name, through the public constructor taking the device, so that they need
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
