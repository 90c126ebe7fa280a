using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using DiSRouter.Models.Kernels;

namespace DiSRouter.Training.Bench;

/// <summary>
/// <c>bench gemm</c>: GFLOP/s (2·m·n·k / t) of the engine's matrix multiply, median and best of 5 timed runs after a
/// warm-up, each run repeated until it lasts about 0.2 s. Square products on 1 and 2 threads first (comparable with
/// torch_reference.py's GEMM table), then the shapes the engine actually runs (config c: d = 256, MLP hidden 704,
/// 8 heads of 32, batch 32 × 64 tokens) on all threads. The machine is shared, so figures are noisy: the best
/// run is the closer estimate of what the kernel can do, the median of what a run gets.
/// </summary>
internal static unsafe class GemmBench
{
    private const int Runs = 5;
    private const double SecondsPerRun = 0.2;
    private const double WarmUpSeconds = 0.3;

    // Rotate > 1 cycles B through that many copies, so a weight is not already in cache when it is used
    // (generation reads every weight of the model once per token: from L3 or memory, not L1/L2).
    private sealed record Case(string Name, bool TransA, bool TransB, int M, int N, int K, float Beta = 0f, int Batch = 1, int Rotate = 1);

    public static void Run(TextWriter output, bool json)
    {
        int savedThreads = EngineThreads.Count;
        try
        {
            if (!json)
            {
                output.WriteLine($"GEMM fp32, GFLOP/s = 2mnk/t, median [best] of {Runs} runs; cores {Environment.ProcessorCount}, " +
                                 $"{SimdPath.Summary()}");
                output.WriteLine($"{"case",-44} {"thr",3} {"median",8} {"best",8} {"µs/call",10}");
            }
            foreach (int threads in new[] { 1, Math.Min(2, Environment.ProcessorCount) }.Distinct())
            {
                EngineThreads.Count = threads;
                foreach (int n in new[] { 256, 512, 1024, 2048 })
                    Measure(output, json, new Case($"square {n} (NN)", false, false, n, n, n), threads);
            }

            EngineThreads.Count = savedThreads;
            const int rows = 32 * 64, d = 256, hidden = 704, heads = 8, headDim = 32, t = 64;
            Case[] engine =
            [
                new("fwd qkv X·Wᵀ 2048×768×256 (NT)", false, true, rows, 3 * d, d),
                new("fwd mlp up X·Wᵀ 2048×704×256 (NT)", false, true, rows, hidden, d),
                new("fwd mlp down X·Wᵀ 2048×256×704 (NT)", false, true, rows, d, hidden),
                new("fwd head X·Wᵀ 2048×264×256 (NT)", false, true, rows, 264, d),
                new("bwd dX=dY·W 2048×256×704 (NN)", false, false, rows, d, hidden),
                new("bwd dW+=dYᵀ·X 704×256×2048 (TN)", true, false, hidden, d, rows, Beta: 1f),
                new("bwd dW+=dYᵀ·X 256×704×2048 (TN)", true, false, d, hidden, rows, Beta: 1f),
                new("attn S=Q·Kᵀ 256×(64×64×32) batched", false, true, t, t, headDim, Batch: 32 * heads),
                new("attn Y=P·V 256×(64×32×64) batched", false, false, t, headDim, t, Batch: 32 * heads),
                new("gen x·Wᵀ 1×704×256 (GEMV)", false, true, 1, hidden, d),
                new("gen x·Wᵀ 1×256×704 (GEMV)", false, true, 1, d, hidden),
                new("gen x·Wᵀ 8×704×256 (8 samples)", false, true, 8, hidden, d),
                new("gen x·Wᵀ 1×704×256, 26 weights (cold)", false, true, 1, hidden, d, Rotate: 26),
                new("gen x·Wᵀ 8×704×256, 26 weights (cold)", false, true, 8, hidden, d, Rotate: 26),
            ];
            foreach (var c in engine) Measure(output, json, c, savedThreads);
        }
        finally
        {
            EngineThreads.Count = savedThreads;
        }
    }

    private static void Measure(TextWriter output, bool json, Case c, int threads)
    {
        int aRows = c.TransA ? c.K : c.M, aCols = c.TransA ? c.M : c.K;
        int bRows = c.TransB ? c.N : c.K, bCols = c.TransB ? c.K : c.N;
        long aSize = (long)aRows * aCols, bSize = (long)bRows * bCols, cSize = (long)c.M * c.N;
        long bCount = bSize * Math.Max(c.Batch, c.Rotate);
        float* a = Alloc(aSize * c.Batch), b = Alloc(bCount), cm = Alloc(cSize * c.Batch);
        try
        {
            var random = new Random(1);
            for (long i = 0; i < aSize * c.Batch; i++) a[i] = (float)random.NextDouble() - 0.5f;
            for (long i = 0; i < bCount; i++) b[i] = (float)random.NextDouble() - 0.5f;
            new Span<float>(cm, (int)(cSize * c.Batch)).Clear();

            int call = 0;
            void Call()
            {
                float* bi = b + bSize * (call++ % c.Rotate);
                if (c.Batch == 1) Gemm.Sgemm(c.TransA, c.TransB, c.M, c.N, c.K, 1f, a, aCols, bi, bCols, c.Beta, cm, c.N);
                else Gemm.SgemmStridedBatched(c.TransA, c.TransB, c.M, c.N, c.K, 1f, a, aCols, aSize, b, bCols, bSize, c.Beta, cm, c.N, cSize, c.Batch);
            }

            // Warm-up long enough for tiered compilation to reach its optimized code (and for the workers to be spinning).
            var clock = Stopwatch.StartNew();
            int warmCalls = 0;
            while (warmCalls < 3 || clock.Elapsed.TotalSeconds < WarmUpSeconds) { Call(); warmCalls++; }
            double once = Math.Max(clock.Elapsed.TotalSeconds / warmCalls, 1e-7);
            int reps = Math.Max(1, (int)(SecondsPerRun / once));
            var seconds = new double[Runs];
            for (int r = 0; r < Runs; r++)
            {
                clock.Restart();
                for (int i = 0; i < reps; i++) Call();
                seconds[r] = clock.Elapsed.TotalSeconds / reps;
            }
            Array.Sort(seconds);
            double flops = 2.0 * c.M * c.N * c.K * c.Batch;
            double median = flops / seconds[Runs / 2] / 1e9, best = flops / seconds[0] / 1e9;
            if (json)
            {
                output.WriteLine(JsonSerializer.Serialize(new
                {
                    bench = "gemm", @case = c.Name, threads, m = c.M, n = c.N, k = c.K, batch = c.Batch,
                    gflops_median = Math.Round(median, 1), gflops_best = Math.Round(best, 1),
                    us_per_call = Math.Round(seconds[Runs / 2] * 1e6, 2),
                }));
            }
            else
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{c.Name,-44} {threads,3} {median,8:F1} {best,8:F1} {seconds[Runs / 2] * 1e6,10:F1}"));
            }
        }
        finally
        {
            NativeMemory.AlignedFree(a);
            NativeMemory.AlignedFree(b);
            NativeMemory.AlignedFree(cm);
        }
    }

    private static float* Alloc(long count) => (float*)NativeMemory.AlignedAlloc((nuint)(Math.Max(count, 1) * sizeof(float)), 64);
}
