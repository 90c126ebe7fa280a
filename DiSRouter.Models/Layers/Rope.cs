using System.Numerics;
using DiSRouter.Models.Kernels;

namespace DiSRouter.Models.Layers;

/// <summary>
/// Rotary position embedding, half-split ("rotate_half") convention: within each head of width D the pair
/// (x1, x2) = (x[i], x[i + D/2]) turns by the angle of its position: (x1·cos − x2·sin, x1·sin + x2·cos).
/// N = rows, H = heads, D = head dim. Row n sits at position pos0 + n mod T, so (B·T) training rows use
/// pos0 = 0, and a KV-cached decode step of T new tokens after S cached ones uses pos0 = S.
/// </summary>
internal static unsafe class Rope
{
    // out (N, H·D) ← rotate(x (N, H·D)); out may be x itself (in place)
    public static void Forward(Span<float> output, ReadOnlySpan<float> x, int rows, int heads, int seqLen, int pos0, RopeTable table)
        => Apply(output, x, rows, heads, seqLen, pos0, table, accumulate: false, inverse: false);

    // dx (N, H·D) += rotate(dout, −angle): the transpose of a rotation is the opposite rotation
    public static void Backward(Span<float> dx, ReadOnlySpan<float> dout, int rows, int heads, int seqLen, int pos0, RopeTable table)
        => Apply(dx, dout, rows, heads, seqLen, pos0, table, accumulate: true, inverse: true);

    private static void Apply(Span<float> output, ReadOnlySpan<float> x, int rows, int heads, int seqLen, int pos0, RopeTable table, bool accumulate, bool inverse)
    {
        int width = heads * table.HeadDim;
        if (x.Length < (long)rows * width || output.Length < (long)rows * width)
            throw new ArgumentException($"Rope expects ({rows}, {heads}·{table.HeadDim}) tensors.");
        if (rows > 0 && pos0 + Math.Min(rows, seqLen) > table.MaxPositions)
            throw new ArgumentOutOfRangeException(nameof(pos0), $"Position {pos0 + Math.Min(rows, seqLen) - 1} is beyond the rotary table ({table.MaxPositions} positions).");
        fixed (float* po = output, px = x, pc = table.Cos, ps = table.Sin)
        {
            var body = new Body
            {
                Out = po, X = px, Cos = pc, Sin = ps, Heads = heads, Half = table.Half, SeqLen = seqLen, Pos0 = pos0,
                Accumulate = accumulate, Sign = inverse ? -1f : 1f, Chunks = new RowChunks(rows, width),
            };
            EngineThreads.ParallelFor(body.Chunks.Count, body);
        }
    }

    private struct Body : IParallelBody
    {
        public float* Out, X, Cos, Sin;
        public int Heads, Half, SeqLen, Pos0;
        public bool Accumulate;
        public float Sign;
        public RowChunks Chunks;

        public readonly void Invoke(int item)
        {
            var (start, end) = Chunks[item];
            int d = 2 * Half, width = Heads * d;
            for (int n = start; n < end; n++)
            {
                int pos = Pos0 + n % SeqLen;
                float* cos = Cos + (long)pos * Half, sin = Sin + (long)pos * Half;
                for (int h = 0; h < Heads; h++)
                {
                    float* x = X + (long)n * width + h * d, o = Out + (long)n * width + h * d;
                    int i = 0;
                    // Whole vectors of pairs (the same products and sums per lane as the scalar loop below).
                    var sign = new Vector<float>(Sign);
                    for (; i + Vector<float>.Count <= Half; i += Vector<float>.Count)
                    {
                        Vector<float> x1 = Vector.Load(x + i), x2 = Vector.Load(x + i + Half), c = Vector.Load(cos + i), s = sign * Vector.Load(sin + i);
                        Vector<float> y1 = x1 * c - x2 * s, y2 = x1 * s + x2 * c;
                        if (Accumulate) { y1 += Vector.Load(o + i); y2 += Vector.Load(o + i + Half); }
                        y1.Store(o + i);
                        y2.Store(o + i + Half);
                    }
                    for (; i < Half; i++)
                    {
                        float x1 = x[i], x2 = x[i + Half], c = cos[i], s = Sign * sin[i];
                        float y1 = x1 * c - x2 * s, y2 = x1 * s + x2 * c;
                        if (Accumulate) { o[i] += y1; o[i + Half] += y2; }
                        else { o[i] = y1; o[i + Half] = y2; }
                    }
                }
            }
        }
    }
}
