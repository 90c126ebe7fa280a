namespace DiSRouter.Models;

/// <summary>A float32 tensor with its checkpoint name and shape, as read from or written to a file.</summary>
public sealed record NamedTensor(string Name, int[] Shape, float[] Data);
