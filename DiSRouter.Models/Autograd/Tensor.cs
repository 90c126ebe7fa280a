namespace DiSRouter.Models.Autograd;

/// <summary>
/// A float32 matrix (Rows, Cols), contiguous and row-major, with an optional gradient of the same shape.
/// A transformer's activations are all "one row per token, features across": (B·T, C), (B·T, V), (B·T, 1) —
/// so two dimensions are enough, and the ops that need more structure (attention) take B, T and heads explicitly.
/// Storage is a slice of an <see cref="Arena"/> (activations) or a <see cref="Models.Parameter"/>'s own arrays.
/// </summary>
internal sealed class Tensor
{
    private readonly ArraySegment<float> _data;
    private ArraySegment<float> _grad;
    private readonly Arena? _arena;

    internal Tensor(ArraySegment<float> data, int rows, int cols, bool requiresGrad, Arena? arena)
    {
        if ((long)rows * cols != data.Count) throw new ArgumentException($"A ({rows}, {cols}) tensor needs {(long)rows * cols} floats, got {data.Count}.");
        _data = data;
        Rows = rows;
        Cols = cols;
        RequiresGrad = requiresGrad;
        _arena = arena;
    }

    /// <summary>Wraps a parameter: data and gradient are the parameter's arrays, viewed as (rows, cols).</summary>
    internal Tensor(Parameter parameter, int rows, int cols)
        : this(new ArraySegment<float>(parameter.Data), rows, cols, requiresGrad: true, arena: null)
    {
        Parameter = parameter;
    }

    public int Rows { get; }
    public int Cols { get; }
    public int Length => _data.Count;
    public bool RequiresGrad { get; }

    /// <summary>The parameter this tensor views, or null for an activation.</summary>
    public Parameter? Parameter { get; }

    public Span<float> Data => _data.AsSpan();

    /// <summary>True once a gradient buffer exists (some backward step wrote to it, or it was seeded).</summary>
    public bool HasGrad => Parameter?.HasGrad ?? _grad.Array is not null;

    /// <summary>The gradient; created (zeroed) on first use.</summary>
    public Span<float> Grad
    {
        get
        {
            if (Parameter is not null) return Parameter.Grad;
            if (_grad.Array is null)
            {
                if (_arena is null) throw new InvalidOperationException("This tensor has no arena for its gradient.");
                _grad = _arena.Allocate(Length, zero: true);
            }
            return _grad.AsSpan();
        }
    }

    /// <summary>
    /// The gradient for an op whose backward step writes every element: when no gradient exists yet it is created
    /// without zeroing and <paramref name="fresh"/> is true, and the caller must overwrite it instead of adding to it.
    /// WHY: in a transformer most activation gradients are first written by one product or one residual add, and
    /// zeroing them first, then reading the zeros back, was a pass over every one of them per step.
    /// </summary>
    public Span<float> GradForWrite(out bool fresh)
    {
        fresh = Parameter is null && _grad.Array is null;
        if (!fresh) return Grad;
        if (_arena is null) throw new InvalidOperationException("This tensor has no arena for its gradient.");
        _grad = _arena.Allocate(Length, zero: false);
        return _grad.AsSpan();
    }

    public override string ToString() => Parameter is null ? $"Tensor ({Rows}, {Cols})" : $"Tensor ({Rows}, {Cols}) of {Parameter.Name}";
}
