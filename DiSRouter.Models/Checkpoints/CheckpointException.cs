namespace DiSRouter.Models.Checkpoints;

/// <summary>A checkpoint file that cannot be read or written; the message names the file and the reason.</summary>
public sealed class CheckpointException(string filePath, string reason, Exception? inner = null)
    : Exception($"Checkpoint file '{filePath}': {reason}", inner)
{
    public string FilePath { get; } = filePath;
    public string Reason { get; } = reason;
}
