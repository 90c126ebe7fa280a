using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using DiSRouter.Models.Kernels;

namespace DiSRouter.Models.Training;

/// <summary>
/// AdamW (Loshchilov &amp; Hutter) with decoupled weight decay, fused with gradient clipping and zeroing:
/// one pass over every parameter reads g·clip, updates the moments and the weight, and clears g.
/// Matrices decay; vectors (norm weights, biases) do not. Work is split into fixed chunks, so results do not
/// depend on the thread count or scheduling.
/// </summary>
internal sealed class AdamW
{
    private const int ChunkFloats = 32 * 1024;
    private readonly Parameter[] _params;
    private readonly float[][] _m;
    private readonly float[][] _v;
    private readonly (int Param, int Start, int End)[] _chunks;
    private readonly double[] _partialSquares;

    public AdamW(IReadOnlyList<Parameter> parameters)
    {
        _params = [.. parameters];
        _m = new float[_params.Length][];
        _v = new float[_params.Length][];
        var chunks = new List<(int, int, int)>();
        for (int p = 0; p < _params.Length; p++)
        {
            _m[p] = new float[_params[p].Length];
            _v[p] = new float[_params[p].Length];
            for (int s = 0; s < _params[p].Length; s += ChunkFloats) chunks.Add((p, s, Math.Min(_params[p].Length, s + ChunkFloats)));
        }
        _chunks = [.. chunks];
        _partialSquares = new double[_chunks.Length];
    }

    /// <summary>Updates taken so far (PyTorch's per-parameter "step", shared here).</summary>
    public int Step { get; set; }

    public IReadOnlyList<Parameter> Parameters => _params;
    internal float[][] FirstMoments => _m;
    internal float[][] SecondMoments => _v;

    /// <summary>Global L2 norm of all gradients (a parameter never touched by backward counts as zero).</summary>
    public double GradNorm()
    {
        var body = new NormBody { Chunks = _chunks, Params = _params, Partial = _partialSquares };
        EngineThreads.ParallelFor(_chunks.Length, body);
        double sum = 0;
        foreach (double s in _partialSquares) sum += s;   // fixed order: deterministic
        return Math.Sqrt(sum);
    }

    /// <summary>One update with gradients multiplied by <paramref name="gradScale"/> (the clip factor); gradients are zeroed.</summary>
    public void Update(double lr, double weightDecay, double beta1, double beta2, double eps, double gradScale)
    {
        Step++;
        var body = new UpdateBody
        {
            Chunks = _chunks, Params = _params, M = _m, V = _v,
            Lr = (float)lr, WeightDecay = (float)weightDecay, Beta1 = (float)beta1, Beta2 = (float)beta2, Eps = (float)eps,
            GradScale = (float)gradScale,
            Correction1 = (float)(1 - Math.Pow(beta1, Step)),
            RootCorrection2 = (float)Math.Sqrt(1 - Math.Pow(beta2, Step)),
        };
        EngineThreads.ParallelFor(_chunks.Length, body);
    }

    // ---------------------------------------------------------------------------------------------

    private struct NormBody : IParallelBody
    {
        public (int Param, int Start, int End)[] Chunks;
        public Parameter[] Params;
        public double[] Partial;

        public readonly void Invoke(int item)
        {
            var (p, start, end) = Chunks[item];
            var param = Params[p];
            if (!param.HasGrad) { Partial[item] = 0; return; }
            // float SIMD sums over short blocks, accumulated in double: fast and accurate enough for a clip threshold
            double s = 0;
            for (int b = start; b < end; b += 1024)
                s += TensorPrimitives.SumOfSquares(new ReadOnlySpan<float>(param.Grad, b, Math.Min(1024, end - b)));
            Partial[item] = s;
        }
    }

    private struct UpdateBody : IParallelBody
    {
        public (int Param, int Start, int End)[] Chunks;
        public Parameter[] Params;
        public float[][] M, V;
        public float Lr, WeightDecay, Beta1, Beta2, Eps, GradScale, Correction1, RootCorrection2;

        public readonly void Invoke(int item)
        {
            var (pi, start, end) = Chunks[item];
            var param = Params[pi];
            float[] w = param.Data, g = param.Grad, m = M[pi], v = V[pi];
            // PyTorch's AdamW: w ← w·(1 − lr·wd); m, v ← moments of g; w ← w − lr/c1 · m / (√v/√c2 + ε)
            float decay = param.Shape.Length >= 2 ? 1f - Lr * WeightDecay : 1f;
            float stepSize = Lr / Correction1;
            int i = start;
            if (SimdPath.Is512)
            {
                var b1 = Vector512.Create(Beta1); var c1 = Vector512.Create(1f - Beta1);
                var b2 = Vector512.Create(Beta2); var c2 = Vector512.Create(1f - Beta2);
                var scale = Vector512.Create(GradScale); var dec = Vector512.Create(decay); var lr = Vector512.Create(stepSize);
                var rc2 = Vector512.Create(1f / RootCorrection2); var eps = Vector512.Create(Eps);
                ref float wr = ref w[0], gr = ref g[0], mr = ref m[0], vr = ref v[0];
                for (; i <= end - 16; i += 16)
                {
                    nuint k = (nuint)i;
                    var gi = Vector512.LoadUnsafe(ref gr, k) * scale;
                    var mi = b1 * Vector512.LoadUnsafe(ref mr, k) + c1 * gi;
                    var vi = b2 * Vector512.LoadUnsafe(ref vr, k) + c2 * gi * gi;
                    mi.StoreUnsafe(ref mr, k);
                    vi.StoreUnsafe(ref vr, k);
                    var wi = Vector512.LoadUnsafe(ref wr, k) * dec - lr * mi / (Vector512.Sqrt(vi) * rc2 + eps);
                    wi.StoreUnsafe(ref wr, k);
                    Vector512<float>.Zero.StoreUnsafe(ref gr, k);
                }
            }
            else if (w.Length > 0)
            {
                // The 256- and 128-bit paths: the same expression per lane (no fused multiply-adds), so every path
                // takes the same optimizer step.
                var b1 = new Vector<float>(Beta1); var c1 = new Vector<float>(1f - Beta1);
                var b2 = new Vector<float>(Beta2); var c2 = new Vector<float>(1f - Beta2);
                var scale = new Vector<float>(GradScale); var dec = new Vector<float>(decay); var lr = new Vector<float>(stepSize);
                var rc2 = new Vector<float>(1f / RootCorrection2); var eps = new Vector<float>(Eps);
                ref float wr = ref w[0], gr = ref g[0], mr = ref m[0], vr = ref v[0];
                for (; i <= end - Vector<float>.Count; i += Vector<float>.Count)
                {
                    nuint k = (nuint)i;
                    var gi = Vector.LoadUnsafe(ref gr, k) * scale;
                    var mi = b1 * Vector.LoadUnsafe(ref mr, k) + c1 * gi;
                    var vi = b2 * Vector.LoadUnsafe(ref vr, k) + c2 * gi * gi;
                    mi.StoreUnsafe(ref mr, k);
                    vi.StoreUnsafe(ref vr, k);
                    var wi = Vector.LoadUnsafe(ref wr, k) * dec - lr * mi / (Vector.SquareRoot(vi) * rc2 + eps);
                    wi.StoreUnsafe(ref wr, k);
                    Vector<float>.Zero.StoreUnsafe(ref gr, k);
                }
            }
            for (; i < end; i++)
            {
                float gi = g[i] * GradScale;
                float mi = m[i] = Beta1 * m[i] + (1f - Beta1) * gi;
                float vi = v[i] = Beta2 * v[i] + (1f - Beta2) * gi * gi;
                w[i] = w[i] * decay - stepSize * mi / (MathF.Sqrt(vi) * (1f / RootCorrection2) + Eps);
                g[i] = 0f;
            }
        }
    }
}
