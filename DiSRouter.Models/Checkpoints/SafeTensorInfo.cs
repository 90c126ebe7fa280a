namespace DiSRouter.Models.Checkpoints;

/// <summary>One entry of a safetensors header: where a tensor's bytes lie, relative to the start of the data section.</summary>
public sealed record SafeTensorInfo(string Name, string DType, int[] Shape, long Begin, long End)
{
    public int Numel => Parameter.Numel(Shape);
}
