using DiSRouter.Models.Checkpoints;

namespace DiSRouter.Models.Inference;

/// <summary>
/// Turns a loaded checkpoint into a generator on one engine. Ours (<see cref="ManagedInferenceEngine"/>) is built in;
/// the TorchSharp one lives in DiSRouter.Models.Torch, which callers load by name only when configured, so that
/// libtorch stays out of every build that does not ask for it.
/// </summary>
public interface IInferenceEngine
{
    /// <summary>"managed" or "torch", as configured.</summary>
    string Name { get; }

    /// <summary>A generator over <paramref name="checkpoint"/>'s weights; the engine may copy them (to a device) and not keep the managed model.</summary>
    ITextGenerator Open(LoadedCheckpoint checkpoint);
}
