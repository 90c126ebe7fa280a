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

    private struct ForwardBody : IParallelBody
    {
        public float* Out, Gate, Up;
        public RowChunks Chunks;

        public readonly void Invoke(int item)
        {
            var (start, end) = Chunks[item];
            for (int i = start; i < end; i++)
            {
                float g = Gate[i];
                Out[i] = g / (1f + MathF.Exp(-g)) * Up[i];
            }
        }
    }

    private struct BackwardBody : IParallelBody
    {
        public float* Dgate, Dup, Dout, Gate, Up;
        public RowChunks Chunks;

        public readonly void Invoke(int item)
        {
            var (start, end) = Chunks[item];
            for (int i = start; i < end; i++)
            {
                float g = Gate[i], sig = 1f / (1f + MathF.Exp(-g)), d = Dout[i];
                Dgate[i] += d * Up[i] * sig * (1f + g * (1f - sig));
                Dup[i] += d * g * sig;
            }
        }
    }
}
