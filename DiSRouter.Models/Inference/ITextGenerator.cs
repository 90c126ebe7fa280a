namespace DiSRouter.Models.Inference;

/// <summary>
/// KV-cached generation over token ids, as an engine offers it: our <see cref="Generator"/>, or the TorchSharp one that
/// DiSRouter.Models.Torch adapts. Same semantics on both (seeded samples, the first-token hook, eos, stop strings,
/// abort by callback), so whoever serves a checkpoint can choose the engine without changing its decisions.
/// </summary>
public interface ITextGenerator
{
    /// <summary>See <see cref="Generator.Generate(int[], GenerationOptions, Func{int, string, bool}?, CancellationToken, GenerationTimings?)"/>.</summary>
    IReadOnlyList<GenerationResult> Generate(int[] prompt, GenerationOptions options, Func<int, string, bool>? shouldContinue = null,
        CancellationToken ct = default, GenerationTimings? timings = null);
}
