namespace DiSRouter.Models.Checkpoints;

/// <summary>How weights are stored on disk. F32 round-trips bit-exactly; BF16 halves the file (round-to-nearest-even).</summary>
public enum CheckpointDType
{
    F32,
    BF16,
}
