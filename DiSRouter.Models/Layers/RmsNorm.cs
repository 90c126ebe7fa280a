using System.Numerics;
using System.Numerics.Tensors;
using DiSRouter.Models.Kernels;

namespace DiSRouter.Models.Layers;

/// <summary>
/// Root-mean-square norm: y = x / sqrt(mean(x²) + ε) · w. N = rows, C = channels.
/// Forward saves rstd (N) = 1/sqrt(mean(x²) + ε) for the backward pass.
/// </summary>
internal static unsafe class RmsNorm
{
    // out (N, C), rstd (N) ← x (N, C), w (C)
    public static void Forward(Span<float> output, Span<float> rstd, ReadOnlySpan<float> x, ReadOnlySpan<float> w, int rows, int channels, float eps)
    {
        Check(output.Length, x.Length, rows, channels, w.Length);
        if (!rstd.IsEmpty && rstd.Length < rows) throw new ArgumentException("rstd must hold one float per row.", nameof(rstd));
        fixed (float* po = output, pr = rstd, px = x, pw = w)
        {
            var body = new ForwardBody { Out = po, Rstd = pr, X = px, W = pw, C = channels, Eps = eps, Chunks = new RowChunks(rows, channels) };
            EngineThreads.ParallelFor(body.Chunks.Count, body);
        }
    }

    // dx (N, C) += ∂L/∂x ; dw (C) += Σ_n dout·x·rstd.   With g = dout·w:  dx = rstd·g − rstd³/C · (g·x) · x
    public static void Backward(Span<float> dx, Span<float> dw, ReadOnlySpan<float> dout, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> rstd, int rows, int channels)
    {
        Check(dout.Length, x.Length, rows, channels, w.Length);
        fixed (float* pdx = dx, pdw = dw, pdo = dout, px = x, pw = w, pr = rstd)
        {
            if (!dx.IsEmpty)
            {
                var body = new BackwardInputBody { Dx = pdx, Dout = pdo, X = px, W = pw, Rstd = pr, C = channels, Chunks = new RowChunks(rows, 3 * channels) };
                EngineThreads.ParallelFor(body.Chunks.Count, body);
            }
            if (!dw.IsEmpty)
            {
                // Columns split across threads: each dw[c] sums its rows in order, so the result does not depend on scheduling.
                var body = new BackwardWeightBody { Dw = pdw, Dout = pdo, X = px, Rstd = pr, Rows = rows, C = channels };
                EngineThreads.ParallelFor((channels + ColumnBlock - 1) / ColumnBlock, body);
            }
        }
    }

    private const int ColumnBlock = 64;

    private static void Check(int outLength, int xLength, int rows, int channels, int wLength)
    {
        long n = (long)rows * channels;
        if (xLength < n || outLength < n) throw new ArgumentException($"RmsNorm expects ({rows}, {channels}) tensors.");
        if (wLength != channels) throw new ArgumentException($"RmsNorm weight has {wLength} entries, expected {channels}.");
    }

    // ---------------------------------------------------------------------------------------------

    private struct ForwardBody : IParallelBody
    {
        public float* Out, Rstd, X, W;
        public int C;
        public float Eps;
        public RowChunks Chunks;

        public readonly void Invoke(int item)
        {
            var (start, end) = Chunks[item];
            var w = new ReadOnlySpan<float>(W, C);
            for (int n = start; n < end; n++)
            {
                var x = new ReadOnlySpan<float>(X + (long)n * C, C);
                var o = new Span<float>(Out + (long)n * C, C);
                float r = 1f / MathF.Sqrt(TensorPrimitives.SumOfSquares(x) / C + Eps);
                if (Rstd != null) Rstd[n] = r;
                TensorPrimitives.Multiply(x, w, o);
                TensorPrimitives.Multiply(o, r, o);
            }
        }
    }

    private struct BackwardInputBody : IParallelBody
    {
        public float* Dx, Dout, X, W, Rstd;
        public int C;
        public RowChunks Chunks;

        public readonly void Invoke(int item)
        {
            var (start, end) = Chunks[item];
            float* g = ThreadScratch.Get(C);
            var gs = new Span<float>(g, C);
            var w = new ReadOnlySpan<float>(W, C);
            for (int n = start; n < end; n++)
            {
                var x = new ReadOnlySpan<float>(X + (long)n * C, C);
                var dx = new Span<float>(Dx + (long)n * C, C);
                float r = Rstd[n];
                TensorPrimitives.Multiply(new ReadOnlySpan<float>(Dout + (long)n * C, C), w, gs);
                float k = r * r * r / C * TensorPrimitives.Dot(gs, x);
                // dx += r·g − k·x
                TensorPrimitives.MultiplyAdd(gs, r, dx, dx);
                TensorPrimitives.MultiplyAdd(x, -k, dx, dx);
            }
        }
    }

    private struct BackwardWeightBody : IParallelBody
    {
        public float* Dw, Dout, X, Rstd;
        public int Rows, C;

        public readonly void Invoke(int block)
        {
            int c0 = block * ColumnBlock, width = Math.Min(ColumnBlock, C - c0);
            if (width == ColumnBlock && !SimdPath.Is512 && ColumnBlock == 8 * Vector<float>.Count)
            {
                InRegisters(c0);
                return;
            }
            float* acc = ThreadScratch.Get(2 * ColumnBlock);
            var a = new Span<float>(acc, width);
            a.Clear();
            var tmp = new Span<float>(acc + ColumnBlock, width);
            for (int n = 0; n < Rows; n++)
            {
                long o = (long)n * C + c0;
                TensorPrimitives.Multiply(new ReadOnlySpan<float>(Dout + o, width), new ReadOnlySpan<float>(X + o, width), tmp);
                TensorPrimitives.MultiplyAdd(tmp, Rstd[n], a, a);
            }
            var dw = new Span<float>(Dw + c0, width);
            TensorPrimitives.Add(dw, a, dw);
        }

        // The 256-bit path (a block of 64 columns is eight vectors; on the 128-bit path it would be sixteen, more than the
        // registers): the block's sums stay in registers down all the rows, each (dout·x)·rstd added unfused as
        // TensorPrimitives' Multiply and MultiplyAdd did, so the same results without two calls per 64-float row (which
        // cost more than their arithmetic).
        private readonly void InRegisters(int c0)
        {
            int l = Vector<float>.Count;
            Vector<float> a0 = Vector<float>.Zero, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            for (int n = 0; n < Rows; n++)
            {
                float* d = Dout + (long)n * C + c0, x = X + (long)n * C + c0;
                var r = new Vector<float>(Rstd[n]);
                a0 += Vector.Load(d) * Vector.Load(x) * r;
                a1 += Vector.Load(d + l) * Vector.Load(x + l) * r;
                a2 += Vector.Load(d + 2 * l) * Vector.Load(x + 2 * l) * r;
                a3 += Vector.Load(d + 3 * l) * Vector.Load(x + 3 * l) * r;
                a4 += Vector.Load(d + 4 * l) * Vector.Load(x + 4 * l) * r;
                a5 += Vector.Load(d + 5 * l) * Vector.Load(x + 5 * l) * r;
                a6 += Vector.Load(d + 6 * l) * Vector.Load(x + 6 * l) * r;
                a7 += Vector.Load(d + 7 * l) * Vector.Load(x + 7 * l) * r;
            }
            float* w = Dw + c0;
            (Vector.Load(w) + a0).Store(w); (Vector.Load(w + l) + a1).Store(w + l);
            (Vector.Load(w + 2 * l) + a2).Store(w + 2 * l); (Vector.Load(w + 3 * l) + a3).Store(w + 3 * l);
            (Vector.Load(w + 4 * l) + a4).Store(w + 4 * l); (Vector.Load(w + 5 * l) + a5).Store(w + 5 * l);
            (Vector.Load(w + 6 * l) + a6).Store(w + 6 * l); (Vector.Load(w + 7 * l) + a7).Store(w + 7 * l);
        }
    }
}
