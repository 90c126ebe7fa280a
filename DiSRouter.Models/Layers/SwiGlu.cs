using System.Numerics;
using System.Numerics.Tensors;
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
    public static void Backward(Span<float> dgate, Span<float> dup, ReadOnlySpan<float> dout, ReadOnlySpan<float> gate, ReadOnlySpan<float> up)
    {
        int n = dout.Length;
        if (gate.Length != n || up.Length != n || dgate.Length != n || dup.Length != n) throw new ArgumentException("SwiGLU expects tensors of one shape.");
        fixed (float* pdg = dgate, pdu = dup, pdo = dout, pg = gate, pu = up)
        {
            var body = new BackwardBody { Dgate = pdg, Dup = pdu, Dout = pdo, Gate = pg, Up = pu, Chunks = new RowChunks(n, 1) };
            EngineThreads.ParallelFor(body.Chunks.Count, body);
        }
    }

    // Chunks are small enough (16K floats) for their temporaries to stay in L2, and each pass is a vectorized TensorPrimitives loop.
    private struct ForwardBody : IParallelBody
    {
        public float* Out, Gate, Up;
        public RowChunks Chunks;

        public readonly void Invoke(int item)
        {
            var (start, end) = Chunks[item];
            int n = end - start;
            var g = new ReadOnlySpan<float>(Gate + start, n);
            var o = new Span<float>(Out + start, n);
            FastMath.Sigmoid(Gate + start, Out + start, n);                  // σ(g)
            TensorPrimitives.Multiply(o, g, o);                               // silu(g)
            TensorPrimitives.Multiply(o, new ReadOnlySpan<float>(Up + start, n), o);
        }
    }

    private struct BackwardBody : IParallelBody
    {
        public float* Dgate, Dup, Dout, Gate, Up;
        public RowChunks Chunks;

        public readonly void Invoke(int item)
        {
            var (start, end) = Chunks[item];
            int n = end - start;
            float* sig = ThreadScratch.Get(n);
            FastMath.Sigmoid(Gate + start, sig, n);
            float* g = Gate + start, u = Up + start, d = Dout + start, dg = Dgate + start, du = Dup + start;
            int i = 0;
            if (SimdPath.Is512)
                for (; i <= n - 16; i += 16)
                {
                    var gv = Vector512.Load(g + i); var sv = Vector512.Load(sig + i); var dv = Vector512.Load(d + i);
                    var silu = gv * sv;
                    // silu'(g) = σ + silu·(1 − σ)
                    var dsilu = sv + silu * (Vector512<float>.One - sv);
                    Vector512.Store(Vector512.Load(du + i) + dv * silu, du + i);
                    Vector512.Store(Vector512.Load(dg + i) + dv * Vector512.Load(u + i) * dsilu, dg + i);
                }
            else
                for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
                {
                    var gv = Vector.Load(g + i); var sv = Vector.Load(sig + i); var dv = Vector.Load(d + i);
                    var silu = gv * sv;
                    var dsilu = sv + silu * (Vector<float>.One - sv);
                    (Vector.Load(du + i) + dv * silu).Store(du + i);
                    (Vector.Load(dg + i) + dv * Vector.Load(u + i) * dsilu).Store(dg + i);
                }
            for (; i < n; i++)
            {
                float s = sig[i], silu = g[i] * s;
                du[i] += d[i] * silu;
                dg[i] += d[i] * u[i] * (s + silu * (1f - s));
            }
        }
    }
}
