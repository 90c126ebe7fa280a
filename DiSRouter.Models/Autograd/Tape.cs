using System.Numerics.Tensors;
using DiSRouter.Models.Layers;

namespace DiSRouter.Models.Autograd;

/// <summary>
/// Reverse-mode autograd: each op runs its forward kernel from <see cref="Layers"/> now and, when an input needs a
/// gradient, records the matching backward kernel; <see cref="Backward(Tensor)"/> replays them in reverse.
/// Activations and their gradients live in the tape's <see cref="Arena"/> and are released together by
/// <see cref="Reset"/>, so a training loop that reuses one tape allocates no big arrays per step.
/// Gradients accumulate (+=), in activations and in parameters alike. Not thread-safe: one pass at a time.
/// Shapes: N = rows (B·T tokens), C = channels, V = vocabulary, H = heads, D = head dim.
/// </summary>
internal sealed class Tape
{
    private readonly Arena _arena = new();
    private readonly List<Action> _backward = [];
    private readonly Dictionary<Parameter, Tensor> _parameters = new(ReferenceEqualityComparer.Instance);

    /// <summary>When false, ops only compute (inference): nothing is recorded and no tensor requires a gradient.</summary>
    public bool GradEnabled { get; set; } = true;

    public Arena Arena => _arena;

    /// <summary>Number of backward steps recorded and not yet run.</summary>
    public int RecordedOps => _backward.Count;

    /// <summary>The tensor view of a parameter: (out, in) for a matrix, (1, n) for a vector. Cached, so a tied head is one tensor.</summary>
    public Tensor Param(Parameter parameter)
    {
        if (!_parameters.TryGetValue(parameter, out var t))
        {
            var s = parameter.Shape;
            t = s.Length == 1 ? new Tensor(parameter, 1, s[0]) : new Tensor(parameter, s[0], parameter.Length / s[0]);
            _parameters.Add(parameter, t);
        }
        return t;
    }

    /// <summary>A new arena tensor with uninitialised data, for inputs the caller fills or op outputs.</summary>
    public Tensor Empty(int rows, int cols, bool requiresGrad = false)
        => new(_arena.Allocate(checked(rows * cols), zero: false), rows, cols, requiresGrad && GradEnabled, _arena);

    // ---------------------------------------------------------------------------------------------
    // ops: forward now, backward recorded

    // (N, C) ← weight (V, C) [tokens (N)]
    public Tensor Embedding(Tensor weight, ReadOnlyMemory<int> tokens)
    {
        int c = weight.Cols;
        var y = Empty(tokens.Length, c, Needs(weight));
        Layers.Embedding.Forward(y.Data, tokens.Span, weight.Data, c);
        if (y.RequiresGrad)
            _backward.Add(() => { if (y.HasGrad) Layers.Embedding.Backward(weight.Grad, y.Grad, tokens.Span, c); });
        return y;
    }

    // (N, Out) = x (N, In) · wᵀ (In, Out) + b (1, Out)
    public Tensor Linear(Tensor x, Tensor w, Tensor? b = null)
    {
        int n = x.Rows, inF = x.Cols, outF = w.Rows;
        if (w.Cols != inF) throw new ArgumentException($"Linear: x is ({n}, {inF}) but the weight is ({w.Rows}, {w.Cols}).");
        if (b is not null && b.Length != outF) throw new ArgumentException($"Linear: bias has {b.Length} entries, expected {outF}.");
        var y = Empty(n, outF, Needs(x) || Needs(w) || Needs(b));
        Layers.Linear.Forward(y.Data, x.Data, w.Data, b is null ? default : b.Data, n, inF, outF);
        if (y.RequiresGrad)
            _backward.Add(() =>
            {
                if (!y.HasGrad) return;
                bool fresh = false;
                var dx = x.RequiresGrad ? x.GradForWrite(out fresh) : default;
                Layers.Linear.Backward(dx, w.RequiresGrad ? w.Grad : default,
                    b is { RequiresGrad: true } ? b.Grad : default, y.Grad, x.Data, w.Data, n, inF, outF, overwriteDx: fresh);
            });
        return y;
    }

    // (N, C) = x / rms(x) · w (1, C); saves rstd (N)
    public Tensor RmsNorm(Tensor x, Tensor w, float eps)
    {
        int n = x.Rows, c = x.Cols;
        var y = Empty(n, c, Needs(x) || Needs(w));
        var rstd = _arena.Allocate(n, zero: false);
        Layers.RmsNorm.Forward(y.Data, rstd, x.Data, w.Data, n, c, eps);
        if (y.RequiresGrad)
            _backward.Add(() =>
            {
                if (!y.HasGrad) return;
                Layers.RmsNorm.Backward(x.RequiresGrad ? x.Grad : default, w.RequiresGrad ? w.Grad : default, y.Grad, x.Data, w.Data, rstd, n, c);
            });
        return y;
    }

    // (N, H·D) rotated; row n at position pos0 + n mod T
    public Tensor Rope(Tensor x, int heads, int seqLen, int pos0, RopeTable table)
    {
        if (x.Cols != heads * table.HeadDim) throw new ArgumentException($"Rope: x has {x.Cols} columns, expected {heads}·{table.HeadDim}.");
        var y = Empty(x.Rows, x.Cols, Needs(x));
        Layers.Rope.Forward(y.Data, x.Data, x.Rows, heads, seqLen, pos0, table);
        if (y.RequiresGrad)
            _backward.Add(() => { if (y.HasGrad) Layers.Rope.Backward(x.Grad, y.Grad, x.Rows, heads, seqLen, pos0, table); });
        return y;
    }

    // (B·T, Hq·D) = causal softmax(q kᵀ/√D) v with grouped kv heads; lengths (B) masks right padding (empty: none)
    public Tensor Attention(Tensor q, Tensor k, Tensor v, ReadOnlyMemory<int> lengths, int batch, int seqLen, int heads, int kvHeads)
    {
        int d = q.Cols / heads;
        if (q.Rows != batch * seqLen || q.Cols != heads * d || k.Cols != kvHeads * d || v.Cols != kvHeads * d || k.Rows != q.Rows || v.Rows != q.Rows)
            throw new ArgumentException($"Attention: q ({q.Rows}, {q.Cols}), k ({k.Rows}, {k.Cols}), v ({v.Rows}, {v.Cols}) do not fit B={batch}, T={seqLen}, H={heads}, Hkv={kvHeads}.");
        var y = Empty(q.Rows, q.Cols, Needs(q) || Needs(k) || Needs(v));
        var att = _arena.Allocate(checked(batch * heads * seqLen * seqLen), zero: false);
        Layers.Attention.Forward(y.Data, att, q.Data, k.Data, v.Data, lengths.Span, batch, seqLen, heads, kvHeads, d);
        if (y.RequiresGrad)
            _backward.Add(() =>
            {
                if (!y.HasGrad) return;
                Layers.Attention.Backward(q.Grad, k.Grad, v.Grad, y.Grad, att, q.Data, k.Data, v.Data, lengths.Span, batch, seqLen, heads, kvHeads, d);
            });
        return y;
    }

    // (N, I) = silu(gate) ⊙ up
    public Tensor SwiGlu(Tensor gate, Tensor up)
    {
        SameShape(gate, up, nameof(SwiGlu));
        var y = Empty(gate.Rows, gate.Cols, Needs(gate) || Needs(up));
        Layers.SwiGlu.Forward(y.Data, gate.Data, up.Data);
        if (y.RequiresGrad)
            _backward.Add(() =>
            {
                if (!y.HasGrad) return;
                // The gate's and up's products feed only this op: their gradients are usually fresh, written, not added to.
                bool freshGate = false, freshUp = false;
                var dgate = gate.RequiresGrad ? gate.GradForWrite(out freshGate) : default;
                var dup = up.RequiresGrad ? up.GradForWrite(out freshUp) : default;
                Layers.SwiGlu.Backward(dgate, dup, y.Grad, gate.Data, up.Data, overwriteGate: freshGate, overwriteUp: freshUp);
            });
        return y;
    }

    // a + b, same shape (the residual stream)
    public Tensor Add(Tensor a, Tensor b)
    {
        SameShape(a, b, nameof(Add));
        var y = Empty(a.Rows, a.Cols, Needs(a) || Needs(b));
        Elementwise.Add(a.Data, b.Data, y.Data);
        if (y.RequiresGrad)
            _backward.Add(() =>
            {
                if (!y.HasGrad) return;
                if (a.RequiresGrad) AddOrCopy(a.GradForWrite(out bool fa), y.Grad, fa);
                if (b.RequiresGrad) AddOrCopy(b.GradForWrite(out bool fb), y.Grad, fb);
            });
        return y;
    }

    // (N, 1) = log softmax(logits (N, V))[targets]; a negative target gives 0 and no gradient
    public Tensor LogSoftmaxGather(Tensor logits, ReadOnlyMemory<int> targets)
    {
        int n = logits.Rows, vocab = logits.Cols;
        if (targets.Length != n) throw new ArgumentException($"LogSoftmaxGather: {targets.Length} targets for {n} rows.");
        var y = Empty(n, 1, Needs(logits));
        CrossEntropy.LogProbsForward(y.Data, logits.Data, targets.Span, n, vocab);
        if (y.RequiresGrad)
            _backward.Add(() => { if (y.HasGrad) CrossEntropy.LogProbsBackward(logits.Grad, y.Grad, logits.Data, targets.Span, n, vocab); });
        return y;
    }

    // (1, 1) = scale · Σ_i weights[i] · x[i]   (weights empty = all ones); with scale −1/Σw on log-probs it is the masked mean cross-entropy
    public Tensor WeightedSum(Tensor x, ReadOnlyMemory<float> weights, float scale)
    {
        if (!weights.IsEmpty && weights.Length != x.Length) throw new ArgumentException($"WeightedSum: {weights.Length} weights for {x.Length} values.");
        var y = Empty(1, 1, Needs(x));
        double sum = weights.IsEmpty ? TensorPrimitives.Sum<float>(x.Data) : SumProduct(x.Data, weights.Span);
        y.Data[0] = (float)(scale * sum);
        if (y.RequiresGrad)
            _backward.Add(() =>
            {
                if (!y.HasGrad) return;
                float g = scale * y.Grad[0];
                var dx = x.Grad;
                if (weights.IsEmpty) TensorPrimitives.Add(dx, g, dx);
                else TensorPrimitives.MultiplyAdd(weights.Span, g, dx, dx);
            });
        return y;
    }

    // ---------------------------------------------------------------------------------------------

    /// <summary>Seeds ∂loss/∂loss = 1 on a (1, 1) tensor and runs every recorded backward step in reverse.</summary>
    public void Backward(Tensor loss)
    {
        if (loss.Length != 1) throw new ArgumentException($"Backward needs a scalar loss, got ({loss.Rows}, {loss.Cols}); seed the gradient and call Backward() instead.");
        if (!loss.RequiresGrad) throw new InvalidOperationException("The loss does not depend on any tensor that requires a gradient.");
        loss.Grad[0] += 1f;
        Backward();
    }

    /// <summary>Runs the recorded backward steps in reverse, from gradients the caller has seeded on outputs; then forgets them.</summary>
    public void Backward()
    {
        for (int i = _backward.Count - 1; i >= 0; i--) _backward[i]();
        _backward.Clear();
    }

    /// <summary>Forgets the recorded steps and releases every activation; parameter gradients stay.</summary>
    public void Reset()
    {
        _backward.Clear();
        _arena.Reset();
    }

    // dst += src, or dst = src for a fresh gradient (see Tensor.GradForWrite)
    private static void AddOrCopy(Span<float> dst, Span<float> src, bool fresh)
    {
        if (fresh) Elementwise.Copy(src, dst);
        else Elementwise.Add(dst, src, dst);
    }

    private bool Needs(Tensor? t) => GradEnabled && t is { RequiresGrad: true };

    private static void SameShape(Tensor a, Tensor b, string op)
    {
        if (a.Rows != b.Rows || a.Cols != b.Cols) throw new ArgumentException($"{op}: shapes ({a.Rows}, {a.Cols}) and ({b.Rows}, {b.Cols}) differ.");
    }

    private static double SumProduct(ReadOnlySpan<float> x, ReadOnlySpan<float> w)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += (double)x[i] * w[i];
        return s;
    }
}
