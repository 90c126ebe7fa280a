using System.Runtime.Intrinsics;
using static DiSRouter.Models.Kernels.GemmMicroKernels;

namespace DiSRouter.Models.Kernels;

/// <summary>Packs a (kc × cols ≤ NR) block of B into one panel: kc rows of NR contiguous floats, zero-padded past cols.</summary>
internal static unsafe class GemmPacking
{
    /// <summary>B not transposed: row p of the block is <c>src[p·ld .. p·ld + cols)</c>.</summary>
    public static void PackRows(float* src, int ld, int kc, int cols, float* dst)
    {
        if (cols == NR)
        {
            for (int p = 0; p < kc; p++, src += ld, dst += NR)
                for (int v = 0; v < NR; v += 16)
                    Vector512.Store(Vector512.Load(src + v), dst + v);
            return;
        }
        for (int p = 0; p < kc; p++, src += ld, dst += NR)
        {
            int x = 0;
            for (; x < cols; x++) dst[x] = src[x];
            for (; x < NR; x++) dst[x] = 0f;
        }
    }

    /// <summary>B transposed (stored (n, k)): column jj of the block is <c>src[jj·ld .. jj·ld + kc)</c>.</summary>
    public static void PackColumns(float* src, int ld, int kc, int cols, float* dst)
    {
        int p = 0;
        if (cols == NR)
        {
            // 16 × 16 tiles through registers: 16 row loads, an in-register transpose, 16 stores.
            for (; p + 16 <= kc; p += 16)
                for (int h = 0; h < NR; h += 16)
                    Transpose16(src + (long)h * ld + p, ld, dst + (long)p * NR + h, NR);
        }
        for (int jj = 0; jj < NR; jj++)
        {
            float* d = dst + jj;
            if (jj < cols)
            {
                float* s = src + (long)jj * ld;
                for (int q = p; q < kc; q++) d[q * NR] = s[q];
            }
            else
            {
                for (int q = p; q < kc; q++) d[q * NR] = 0f;
            }
        }
    }

    /// <summary>dst[c·ldd + r] = src[r·lds + c] for a 16 × 16 tile.</summary>
    private static void Transpose16(float* src, int lds, float* dst, int ldd)
    {
        // Scalar fallback; replaced by a shuffle network where AVX-512 is available.
        for (int r = 0; r < 16; r++)
        {
            float* s = src + (long)r * lds;
            for (int c = 0; c < 16; c++) dst[c * ldd + r] = s[c];
        }
    }
}
