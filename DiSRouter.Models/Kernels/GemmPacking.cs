using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DiSRouter.Models.Kernels;

/// <summary>
/// Packs a (kc × cols) block of B into one panel of width w (32 or 16): kc rows of w contiguous floats,
/// zero-padded past cols, so the micro-kernel reads B with unit stride and every panel row sits in one or two cache lines.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>B not transposed: row p of the block is <c>src[p·ld .. p·ld + cols)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackRows(float* src, int ld, int kc, int cols, int width, float* dst)
    {
        if (cols == width && width % Vector<float>.Count == 0)
        {
            // Whole vectors inline: a call to the runtime's memmove per 64-byte row cost more than the copy (2–3 % of a
            // training step of config c on AVX2, where every weight gradient packs the activations this way).
            int lanes = Vector<float>.Count;
            for (int p = 0; p < kc; p++, src += ld, dst += width)
                for (int x = 0; x < width; x += lanes) Vector.Load(src + x).Store(dst + x);
            return;
        }
        for (int p = 0; p < kc; p++, src += ld, dst += width)
        {
            int x = 0;
            for (; x < cols; x++) dst[x] = src[x];
            for (; x < width; x++) dst[x] = 0f;
        }
    }

    /// <summary>B transposed (stored (n, k)): column jj of the block is <c>src[jj·ld .. jj·ld + kc)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackColumns(float* src, int ld, int kc, int cols, int width, float* dst)
    {
        int p = 0;
        // 16 × 16 tiles through registers for every full group of 16 columns: 16 row loads, a transpose, 16 stores.
        int fullGroups = cols / 16;
        if (fullGroups > 0)
        {
            for (; p + 16 <= kc; p += 16)
                for (int g = 0; g < fullGroups; g++)
                    Transpose16(src + (long)(16 * g) * ld + p, ld, dst + (long)p * width + 16 * g, width);
        }
        for (int jj = 0; jj < width; jj++)
        {
            float* d = dst + jj;
            bool transposed = jj < 16 * fullGroups;
            int from = transposed ? p : 0;
            if (jj < cols)
            {
                float* s = src + (long)jj * ld;
                for (int q = from; q < kc; q++) d[q * width] = s[q];
            }
            else
            {
                for (int q = from; q < kc; q++) d[q * width] = 0f;
            }
        }
    }

    /// <summary>dst[c·ldd + r] = src[r·lds + c] for a 16 × 16 tile (also attention's key and value tiles).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Transpose16(float* src, int lds, float* dst, int ldd)
    {
        if (!Avx512F.IsSupported && Avx.IsSupported)
        {
            // The AVX2 path: four 8 × 8 transposes in ymm registers.
            Transpose8(src, lds, dst, ldd);
            Transpose8(src + 8, lds, dst + 8 * (long)ldd, ldd);
            Transpose8(src + 8 * (long)lds, lds, dst + 8, ldd);
            Transpose8(src + 8 * (long)lds + 8, lds, dst + 8 * (long)ldd + 8, ldd);
            return;
        }
        if (!Avx512F.IsSupported)
        {
            for (int r = 0; r < 16; r++)
            {
                float* s = src + (long)r * lds;
                for (int c = 0; c < 16; c++) dst[c * ldd + r] = s[c];
            }
            return;
        }
        // Four shuffle stages (64 shuffles for 256 floats instead of 256 scalar moves):
        //   1. unpack float pairs of rows (0,1), (2,3), …    2. unpack 64-bit pairs: lane L of u[4q + j] holds
        //   column 4L + j of rows 4q..4q+3                   3–4. gather those 128-bit lanes into whole columns.
        long s1 = lds;
        Vector512<float> t0 = Avx512F.UnpackLow(Vector512.Load(src), Vector512.Load(src + s1));
        Vector512<float> t1 = Avx512F.UnpackHigh(Vector512.Load(src), Vector512.Load(src + s1));
        Vector512<float> t2 = Avx512F.UnpackLow(Vector512.Load(src + 2 * s1), Vector512.Load(src + 3 * s1));
        Vector512<float> t3 = Avx512F.UnpackHigh(Vector512.Load(src + 2 * s1), Vector512.Load(src + 3 * s1));
        Vector512<float> t4 = Avx512F.UnpackLow(Vector512.Load(src + 4 * s1), Vector512.Load(src + 5 * s1));
        Vector512<float> t5 = Avx512F.UnpackHigh(Vector512.Load(src + 4 * s1), Vector512.Load(src + 5 * s1));
        Vector512<float> t6 = Avx512F.UnpackLow(Vector512.Load(src + 6 * s1), Vector512.Load(src + 7 * s1));
        Vector512<float> t7 = Avx512F.UnpackHigh(Vector512.Load(src + 6 * s1), Vector512.Load(src + 7 * s1));
        Vector512<float> t8 = Avx512F.UnpackLow(Vector512.Load(src + 8 * s1), Vector512.Load(src + 9 * s1));
        Vector512<float> t9 = Avx512F.UnpackHigh(Vector512.Load(src + 8 * s1), Vector512.Load(src + 9 * s1));
        Vector512<float> t10 = Avx512F.UnpackLow(Vector512.Load(src + 10 * s1), Vector512.Load(src + 11 * s1));
        Vector512<float> t11 = Avx512F.UnpackHigh(Vector512.Load(src + 10 * s1), Vector512.Load(src + 11 * s1));
        Vector512<float> t12 = Avx512F.UnpackLow(Vector512.Load(src + 12 * s1), Vector512.Load(src + 13 * s1));
        Vector512<float> t13 = Avx512F.UnpackHigh(Vector512.Load(src + 12 * s1), Vector512.Load(src + 13 * s1));
        Vector512<float> t14 = Avx512F.UnpackLow(Vector512.Load(src + 14 * s1), Vector512.Load(src + 15 * s1));
        Vector512<float> t15 = Avx512F.UnpackHigh(Vector512.Load(src + 14 * s1), Vector512.Load(src + 15 * s1));

        Vector512<float> u0 = Avx512F.UnpackLow(t0.AsDouble(), t2.AsDouble()).AsSingle();
        Vector512<float> u1 = Avx512F.UnpackHigh(t0.AsDouble(), t2.AsDouble()).AsSingle();
        Vector512<float> u2 = Avx512F.UnpackLow(t1.AsDouble(), t3.AsDouble()).AsSingle();
        Vector512<float> u3 = Avx512F.UnpackHigh(t1.AsDouble(), t3.AsDouble()).AsSingle();
        Vector512<float> u4 = Avx512F.UnpackLow(t4.AsDouble(), t6.AsDouble()).AsSingle();
        Vector512<float> u5 = Avx512F.UnpackHigh(t4.AsDouble(), t6.AsDouble()).AsSingle();
        Vector512<float> u6 = Avx512F.UnpackLow(t5.AsDouble(), t7.AsDouble()).AsSingle();
        Vector512<float> u7 = Avx512F.UnpackHigh(t5.AsDouble(), t7.AsDouble()).AsSingle();
        Vector512<float> u8 = Avx512F.UnpackLow(t8.AsDouble(), t10.AsDouble()).AsSingle();
        Vector512<float> u9 = Avx512F.UnpackHigh(t8.AsDouble(), t10.AsDouble()).AsSingle();
        Vector512<float> u10 = Avx512F.UnpackLow(t9.AsDouble(), t11.AsDouble()).AsSingle();
        Vector512<float> u11 = Avx512F.UnpackHigh(t9.AsDouble(), t11.AsDouble()).AsSingle();
        Vector512<float> u12 = Avx512F.UnpackLow(t12.AsDouble(), t14.AsDouble()).AsSingle();
        Vector512<float> u13 = Avx512F.UnpackHigh(t12.AsDouble(), t14.AsDouble()).AsSingle();
        Vector512<float> u14 = Avx512F.UnpackLow(t13.AsDouble(), t15.AsDouble()).AsSingle();
        Vector512<float> u15 = Avx512F.UnpackHigh(t13.AsDouble(), t15.AsDouble()).AsSingle();

        long d1 = ldd;
        StoreColumns(u0, u4, u8, u12, dst, d1);
        StoreColumns(u1, u5, u9, u13, dst + d1, d1);
        StoreColumns(u2, u6, u10, u14, dst + 2 * d1, d1);
        StoreColumns(u3, u7, u11, u15, dst + 3 * d1, d1);
    }

    /// <summary>dst[c·ldd + r] = src[r·lds + c] for an 8 × 8 tile (AVX): unpack pairs, then 64-bit pairs, then 128-bit lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8(float* src, int lds, float* dst, int ldd)
    {
        long s1 = lds, d1 = ldd;
        Vector256<float> r0 = Avx.LoadVector256(src), r1 = Avx.LoadVector256(src + s1);
        Vector256<float> r2 = Avx.LoadVector256(src + 2 * s1), r3 = Avx.LoadVector256(src + 3 * s1);
        Vector256<float> r4 = Avx.LoadVector256(src + 4 * s1), r5 = Avx.LoadVector256(src + 5 * s1);
        Vector256<float> r6 = Avx.LoadVector256(src + 6 * s1), r7 = Avx.LoadVector256(src + 7 * s1);
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(dst + d1, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + 2 * d1, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(dst + 3 * d1, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + 4 * d1, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(dst + 5 * d1, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + 6 * d1, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(dst + 7 * d1, Avx.Permute2x128(u3, u7, 0x31));
    }

    /// <summary>Lane L of a/b/c/d holds column 4L + j of rows 0–3/4–7/8–11/12–15: writes columns j, 4+j, 8+j, 12+j.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreColumns(Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> d, float* dst, long ldd)
    {
        Vector512<float> ab01 = Avx512F.Shuffle4x128(a, b, 0x44), cd01 = Avx512F.Shuffle4x128(c, d, 0x44);
        Vector512<float> ab23 = Avx512F.Shuffle4x128(a, b, 0xEE), cd23 = Avx512F.Shuffle4x128(c, d, 0xEE);
        Vector512.Store(Avx512F.Shuffle4x128(ab01, cd01, 0x88), dst);
        Vector512.Store(Avx512F.Shuffle4x128(ab01, cd01, 0xDD), dst + 4 * ldd);
        Vector512.Store(Avx512F.Shuffle4x128(ab23, cd23, 0x88), dst + 8 * ldd);
        Vector512.Store(Avx512F.Shuffle4x128(ab23, cd23, 0xDD), dst + 12 * ldd);
    }
}
