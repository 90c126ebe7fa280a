using System.Numerics;
using System.Runtime.Intrinsics;
using DiSRouter.Models.Kernels;

namespace DiSRouter.Models.Layers;

/// <summary>SwiGLU gate: h = silu(gate) ⊙ up with silu(g) = g·σ(g). Element-wise over (N, I).</summary>
internal static unsafe class SwiGlu
{
    // out (N, I) = silu(gate (N, I)) ⊙ up (N, I)
    public static void Forward(Span<float> output, ReadOnlySpan<float> gate, ReadOnlySpan<float> up)
    {
        if (gate.Length != output.Length || up.Length != output.Length) throw new ArgumentException("SwiGLU expects gate, up and output of one shape.");
        fixed (float* po = output, pg = gate, pu = up)
        {
            var body = new ForwardBody { Out = po, Gate = pg, Up = pu, Chunks = new RowChunks(output.Length, 1) };
            EngineThreads.ParallelFor(body.Chunks.Count, body);
        }
    }

    // dgate += dout ⊙ up ⊙ σ(g)(1 + g(1 − σ(g))) ; dup += dout ⊙ silu(g)
    // overwriteGate / overwriteUp: = instead of += (a fresh gradient buffer whose contents are garbage: nothing is read).
    // An empty gradient span means that gradient is not wanted.
    public static void Backward(Span<float> dgate, Span<float> dup, ReadOnlySpan<float> dout, ReadOnlySpan<float> gate, ReadOnlySpan<float> up,
        bool overwriteGate = false, bool overwriteUp = false)
    {
        int n = dout.Length;
        if (gate.Length != n || up.Length != n || (!dgate.IsEmpty && dgate.Length != n) || (!dup.IsEmpty && dup.Length != n))
            throw new ArgumentException("SwiGLU expects tensors of one shape.");
        if (dgate.IsEmpty && dup.IsEmpty) return;
        fixed (float* pdg = dgate, pdu = dup, pdo = dout, pg = gate, pu = up)
        {
            var body = new BackwardBody
            {
                Dgate = pdg, Dup = pdu, Dout = pdo, Gate = pg, Up = pu, Chunks = new RowChunks(n, 1),
                GateMode = dgate.IsEmpty ? Skip : overwriteGate ? Write : Add, UpMode = dup.IsEmpty ? Skip : overwriteUp ? Write : Add,
            };
            EngineThreads.ParallelFor(body.Chunks.Count, body);
        }
    }

    private const int Skip = 0, Write = 1, Add = 2;

    // One pass per chunk: σ(g), silu and the product in registers (a separate σ pass and two TensorPrimitives passes read
    // and wrote the chunk three times). The same operations in the same order, so the same results.
    private struct ForwardBody : IParallelBody
    {
        public float* Out, Gate, Up;
        public RowChunks Chunks;

        public readonly void Invoke(int item)
        {
            var (start, end) = Chunks[item];
            int n = end - start;
            float* g = Gate + start, u = Up + start, o = Out + start;
            int i = 0;
            if (SimdPath.Is512)
                for (; i <= n - 16; i += 16)
                {
                    var gv = Vector512.Load(g + i);
                    var sv = Vector512<float>.One / (Vector512<float>.One + FastMath.Exp(-gv));
                    Vector512.Store(sv * gv * Vector512.Load(u + i), o + i);
                }
            else
                for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
                {
                    var gv = Vector.Load(g + i);
                    var sv = Vector<float>.One / (Vector<float>.One + FastMath.Exp(-gv));
                    (sv * gv * Vector.Load(u + i)).Store(o + i);
                }
            for (; i < n; i++) o[i] = 1f / (1f + MathF.Exp(-g[i])) * g[i] * u[i];
        }
    }

    private struct BackwardBody : IParallelBody
    {
        public float* Dgate, Dup, Dout, Gate, Up;
        public int GateMode, UpMode;
        public RowChunks Chunks;

        public readonly void Invoke(int item)
        {
            var (start, end) = Chunks[item];
            int n = end - start;
            float* g = Gate + start, u = Up + start, d = Dout + start, dg = Dgate + start, du = Dup + start;
            int i = 0;
            if (SimdPath.Is512)
                for (; i <= n - 16; i += 16)
                {
                    var gv = Vector512.Load(g + i); var dv = Vector512.Load(d + i);
                    var sv = Vector512<float>.One / (Vector512<float>.One + FastMath.Exp(-gv));
                    var silu = gv * sv;
                    // silu'(g) = σ + silu·(1 − σ)
                    var dsilu = sv + silu * (Vector512<float>.One - sv);
                    if (UpMode == Add) Vector512.Store(Vector512.Load(du + i) + dv * silu, du + i);
                    else if (UpMode == Write) Vector512.Store(dv * silu, du + i);
                    if (GateMode == Add) Vector512.Store(Vector512.Load(dg + i) + dv * Vector512.Load(u + i) * dsilu, dg + i);
                    else if (GateMode == Write) Vector512.Store(dv * Vector512.Load(u + i) * dsilu, dg + i);
                }
            else
                for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
                {
                    var gv = Vector.Load(g + i); var dv = Vector.Load(d + i);
                    var sv = Vector<float>.One / (Vector<float>.One + FastMath.Exp(-gv));
                    var silu = gv * sv;
                    var dsilu = sv + silu * (Vector<float>.One - sv);
                    if (UpMode == Add) (Vector.Load(du + i) + dv * silu).Store(du + i);
                    else if (UpMode == Write) (dv * silu).Store(du + i);
                    if (GateMode == Add) (Vector.Load(dg + i) + dv * Vector.Load(u + i) * dsilu).Store(dg + i);
                    else if (GateMode == Write) (dv * Vector.Load(u + i) * dsilu).Store(dg + i);
                }
            for (; i < n; i++)
            {
                float s = 1f / (1f + MathF.Exp(-g[i])), silu = g[i] * s;
                if (UpMode == Add) du[i] += d[i] * silu;
                else if (UpMode == Write) du[i] = d[i] * silu;
                if (GateMode == Add) dg[i] += d[i] * u[i] * (s + silu * (1f - s));
                else if (GateMode == Write) dg[i] = d[i] * u[i] * (s + silu * (1f - s));
            }
        }
    }
}
