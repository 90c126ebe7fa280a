using DiSRouter.Models.Checkpoints;

namespace DiSRouter.Models.Inference;

/// <summary>Our engine: the checkpoint's managed model served in-process by a thread-safe <see cref="Generator"/>.</summary>
public sealed class ManagedInferenceEngine : IInferenceEngine
{
    public const string EngineName = "managed";

    public string Name => EngineName;

    public ITextGenerator Open(LoadedCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        return new Generator(checkpoint.Model, checkpoint.Tokenizer);
    }
}
