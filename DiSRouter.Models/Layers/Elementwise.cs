using System.Numerics.Tensors;
using DiSRouter.Models.Kernels;

namespace DiSRouter.Models.Layers;

/// <summary>
/// The elementwise passes of the residual stream and of fresh gradients (add, copy, clear), spread over the engine's threads in chunks of
/// <see cref="RowChunks"/>' grain. WHY: done on the calling thread, a (B·T, C) add or clear of a training step was a
/// stretch long enough for the other worker to fall asleep, and the wake-up of the next kernel came on top.
/// </summary>
internal static unsafe class Elementwise
{
    private const int SerialBelow = 1 << 15;   // floats: a smaller pass stays on the calling thread

    // y = a + b
    public static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
    {
        if (a.Length != y.Length || b.Length != y.Length) throw new ArgumentException("Elementwise add expects spans of one length.");
        if (y.Length < SerialBelow) { TensorPrimitives.Add(a, b, y); return; }
        fixed (float* pa = a, pb = b, py = y)
        {
            var body = new AddBody { A = pa, B = pb, Y = py, Chunks = new RowChunks(y.Length, 1) };
            EngineThreads.ParallelFor(body.Chunks.Count, body);
        }
    }

    // y = x
    public static void Copy(ReadOnlySpan<float> x, Span<float> y)
    {
        if (x.Length != y.Length) throw new ArgumentException("Elementwise copy expects spans of one length.");
        if (y.Length < SerialBelow) { x.CopyTo(y); return; }
        fixed (float* px = x, py = y)
        {
            var body = new CopyBody { X = px, Y = py, Chunks = new RowChunks(y.Length, 1) };
            EngineThreads.ParallelFor(body.Chunks.Count, body);
        }
    }

    // y = 0
    public static void Clear(Span<float> y)
    {
        if (y.Length < SerialBelow) { y.Clear(); return; }
        fixed (float* py = y)
        {
            var body = new ClearBody { Y = py, Chunks = new RowChunks(y.Length, 1) };
            EngineThreads.ParallelFor(body.Chunks.Count, body);
        }
    }

    private struct AddBody : IParallelBody
    {
        public float* A, B, Y;
        public RowChunks Chunks;

        public readonly void Invoke(int item)
        {
            var (start, end) = Chunks[item];
            TensorPrimitives.Add(new ReadOnlySpan<float>(A + start, end - start), new ReadOnlySpan<float>(B + start, end - start), new Span<float>(Y + start, end - start));
        }
    }

    private struct CopyBody : IParallelBody
    {
        public float* X, Y;
        public RowChunks Chunks;

        public readonly void Invoke(int item)
        {
            var (start, end) = Chunks[item];
            new ReadOnlySpan<float>(X + start, end - start).CopyTo(new Span<float>(Y + start, end - start));
        }
    }

    private struct ClearBody : IParallelBody
    {
        public float* Y;
        public RowChunks Chunks;

        public readonly void Invoke(int item)
        {
            var (start, end) = Chunks[item];
            new Span<float>(Y + start, end - start).Clear();
        }
    }
}
