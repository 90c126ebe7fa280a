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

    /// <summary>
    /// Opens a checkpoint folder. By default through our loader (the whole model as float32 in host memory, then
    /// <see cref="Open"/>); an engine that keeps the weights elsewhere reads the folder its own way, one tensor at a
    /// time (the TorchSharp engine: straight onto its device, in bf16 where the device computes in it).
    /// </summary>
    OpenedCheckpoint OpenDirectory(string directory)
    {
        var checkpoint = Checkpoint.Load(directory);
        var fingerprint = WeightsFingerprint.Of(checkpoint.Model);
        return new OpenedCheckpoint(Open(checkpoint), checkpoint.Tokenizer, checkpoint.Model.Config, fingerprint, checkpoint.Model.ParameterCount);
    }
}
