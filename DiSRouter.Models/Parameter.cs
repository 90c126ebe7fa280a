namespace DiSRouter.Models;

/// <summary>
/// One trainable tensor: float32, contiguous, row-major, named as in a Qwen2 checkpoint.
/// Linear weights have PyTorch's shape (out, in). <see cref="Grad"/> is allocated on first use.
/// </summary>
public sealed class Parameter(string name, int[] shape)
{
    public string Name { get; } = name;
    public int[] Shape { get; } = shape;
    public float[] Data { get; } = new float[Numel(shape)];
    public int Length => Data.Length;

    private float[]? _grad;

    /// <summary>Gradient accumulated by backward passes; same shape as <see cref="Data"/>.</summary>
    public float[] Grad => _grad ??= new float[Data.Length];

    public bool HasGrad => _grad is not null;

    public void ZeroGrad() { if (_grad is not null) Array.Clear(_grad); }

    public static int Numel(int[] shape)
    {
        long n = 1;
        foreach (var d in shape) n *= d;
        return checked((int)n);
    }

    public override string ToString() => $"{Name} ({string.Join(", ", Shape)})";
}
