using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DiSRouter.Models.Kernels;

// Register-blocked micro-kernels: C(r×32) = alpha·A(r×kc)·Bpanel(kc×32) + beta·C, for r = 1..8 rows.
// The accumulators are named locals (not an array) so that the JIT keeps every one of them in a zmm register;
// one broadcast of A feeds 2 FMAs. B is a packed panel (kc rows of 32 floats). A is read where it lies:
//   ...R kernels: A(r, p) = a[r·lda + p]   (A not transposed: each row is contiguous in p)
//   ...C kernels: A(r, p) = a[p·lda + r]   (A transposed: the rows of one step p are contiguous)
// so A is never copied. These files are generated (one body per row count) to keep the bodies identical.
internal static unsafe class GemmMicroKernels
{
    public const int NR = 32;
    public const int MR = 8;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void K1x32R(int kc, float* a, long lda, float* b, float* c, long ldc, float alpha, float beta)
    {
        float* a0 = a + 0;
        Vector512<float> c0_0 = default; Vector512<float> c0_1 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b + 0);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> x0 = Vector512.Create(a0[p]);
            c0_0 = Vector512.FusedMultiplyAdd(x0, b0, c0_0);
            c0_1 = Vector512.FusedMultiplyAdd(x0, b1, c0_1);
            b += 32;
        }
        Vector512<float> va = Vector512.Create(alpha);
        if (beta == 0f)
        {
            Vector512.Store(c0_0 * va, c + 0);
            Vector512.Store(c0_1 * va, c + 16);
        }
        else
        {
            Vector512<float> vb = Vector512.Create(beta);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 0), vb, c0_0 * va), c + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 16), vb, c0_1 * va), c + 16);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void K2x32R(int kc, float* a, long lda, float* b, float* c, long ldc, float alpha, float beta)
    {
        float* a0 = a + 0;
        float* a1 = a + lda;
        Vector512<float> c0_0 = default; Vector512<float> c0_1 = default;
        Vector512<float> c1_0 = default; Vector512<float> c1_1 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b + 0);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> x0 = Vector512.Create(a0[p]);
            c0_0 = Vector512.FusedMultiplyAdd(x0, b0, c0_0);
            c0_1 = Vector512.FusedMultiplyAdd(x0, b1, c0_1);
            Vector512<float> x1 = Vector512.Create(a1[p]);
            c1_0 = Vector512.FusedMultiplyAdd(x1, b0, c1_0);
            c1_1 = Vector512.FusedMultiplyAdd(x1, b1, c1_1);
            b += 32;
        }
        Vector512<float> va = Vector512.Create(alpha);
        if (beta == 0f)
        {
            Vector512.Store(c0_0 * va, c + 0);
            Vector512.Store(c0_1 * va, c + 16);
            Vector512.Store(c1_0 * va, c + 1 * ldc + 0);
            Vector512.Store(c1_1 * va, c + 1 * ldc + 16);
        }
        else
        {
            Vector512<float> vb = Vector512.Create(beta);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 0), vb, c0_0 * va), c + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 16), vb, c0_1 * va), c + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 1 * ldc + 0), vb, c1_0 * va), c + 1 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 1 * ldc + 16), vb, c1_1 * va), c + 1 * ldc + 16);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void K3x32R(int kc, float* a, long lda, float* b, float* c, long ldc, float alpha, float beta)
    {
        float* a0 = a + 0;
        float* a1 = a + lda;
        float* a2 = a + 2 * lda;
        Vector512<float> c0_0 = default; Vector512<float> c0_1 = default;
        Vector512<float> c1_0 = default; Vector512<float> c1_1 = default;
        Vector512<float> c2_0 = default; Vector512<float> c2_1 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b + 0);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> x0 = Vector512.Create(a0[p]);
            c0_0 = Vector512.FusedMultiplyAdd(x0, b0, c0_0);
            c0_1 = Vector512.FusedMultiplyAdd(x0, b1, c0_1);
            Vector512<float> x1 = Vector512.Create(a1[p]);
            c1_0 = Vector512.FusedMultiplyAdd(x1, b0, c1_0);
            c1_1 = Vector512.FusedMultiplyAdd(x1, b1, c1_1);
            Vector512<float> x2 = Vector512.Create(a2[p]);
            c2_0 = Vector512.FusedMultiplyAdd(x2, b0, c2_0);
            c2_1 = Vector512.FusedMultiplyAdd(x2, b1, c2_1);
            b += 32;
        }
        Vector512<float> va = Vector512.Create(alpha);
        if (beta == 0f)
        {
            Vector512.Store(c0_0 * va, c + 0);
            Vector512.Store(c0_1 * va, c + 16);
            Vector512.Store(c1_0 * va, c + 1 * ldc + 0);
            Vector512.Store(c1_1 * va, c + 1 * ldc + 16);
            Vector512.Store(c2_0 * va, c + 2 * ldc + 0);
            Vector512.Store(c2_1 * va, c + 2 * ldc + 16);
        }
        else
        {
            Vector512<float> vb = Vector512.Create(beta);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 0), vb, c0_0 * va), c + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 16), vb, c0_1 * va), c + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 1 * ldc + 0), vb, c1_0 * va), c + 1 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 1 * ldc + 16), vb, c1_1 * va), c + 1 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 2 * ldc + 0), vb, c2_0 * va), c + 2 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 2 * ldc + 16), vb, c2_1 * va), c + 2 * ldc + 16);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void K4x32R(int kc, float* a, long lda, float* b, float* c, long ldc, float alpha, float beta)
    {
        float* a0 = a + 0;
        float* a1 = a + lda;
        float* a2 = a + 2 * lda;
        float* a3 = a + 3 * lda;
        Vector512<float> c0_0 = default; Vector512<float> c0_1 = default;
        Vector512<float> c1_0 = default; Vector512<float> c1_1 = default;
        Vector512<float> c2_0 = default; Vector512<float> c2_1 = default;
        Vector512<float> c3_0 = default; Vector512<float> c3_1 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b + 0);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> x0 = Vector512.Create(a0[p]);
            c0_0 = Vector512.FusedMultiplyAdd(x0, b0, c0_0);
            c0_1 = Vector512.FusedMultiplyAdd(x0, b1, c0_1);
            Vector512<float> x1 = Vector512.Create(a1[p]);
            c1_0 = Vector512.FusedMultiplyAdd(x1, b0, c1_0);
            c1_1 = Vector512.FusedMultiplyAdd(x1, b1, c1_1);
            Vector512<float> x2 = Vector512.Create(a2[p]);
            c2_0 = Vector512.FusedMultiplyAdd(x2, b0, c2_0);
            c2_1 = Vector512.FusedMultiplyAdd(x2, b1, c2_1);
            Vector512<float> x3 = Vector512.Create(a3[p]);
            c3_0 = Vector512.FusedMultiplyAdd(x3, b0, c3_0);
            c3_1 = Vector512.FusedMultiplyAdd(x3, b1, c3_1);
            b += 32;
        }
        Vector512<float> va = Vector512.Create(alpha);
        if (beta == 0f)
        {
            Vector512.Store(c0_0 * va, c + 0);
            Vector512.Store(c0_1 * va, c + 16);
            Vector512.Store(c1_0 * va, c + 1 * ldc + 0);
            Vector512.Store(c1_1 * va, c + 1 * ldc + 16);
            Vector512.Store(c2_0 * va, c + 2 * ldc + 0);
            Vector512.Store(c2_1 * va, c + 2 * ldc + 16);
            Vector512.Store(c3_0 * va, c + 3 * ldc + 0);
            Vector512.Store(c3_1 * va, c + 3 * ldc + 16);
        }
        else
        {
            Vector512<float> vb = Vector512.Create(beta);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 0), vb, c0_0 * va), c + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 16), vb, c0_1 * va), c + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 1 * ldc + 0), vb, c1_0 * va), c + 1 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 1 * ldc + 16), vb, c1_1 * va), c + 1 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 2 * ldc + 0), vb, c2_0 * va), c + 2 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 2 * ldc + 16), vb, c2_1 * va), c + 2 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 3 * ldc + 0), vb, c3_0 * va), c + 3 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 3 * ldc + 16), vb, c3_1 * va), c + 3 * ldc + 16);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void K5x32R(int kc, float* a, long lda, float* b, float* c, long ldc, float alpha, float beta)
    {
        float* a0 = a + 0;
        float* a1 = a + lda;
        float* a2 = a + 2 * lda;
        float* a3 = a + 3 * lda;
        float* a4 = a + 4 * lda;
        Vector512<float> c0_0 = default; Vector512<float> c0_1 = default;
        Vector512<float> c1_0 = default; Vector512<float> c1_1 = default;
        Vector512<float> c2_0 = default; Vector512<float> c2_1 = default;
        Vector512<float> c3_0 = default; Vector512<float> c3_1 = default;
        Vector512<float> c4_0 = default; Vector512<float> c4_1 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b + 0);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> x0 = Vector512.Create(a0[p]);
            c0_0 = Vector512.FusedMultiplyAdd(x0, b0, c0_0);
            c0_1 = Vector512.FusedMultiplyAdd(x0, b1, c0_1);
            Vector512<float> x1 = Vector512.Create(a1[p]);
            c1_0 = Vector512.FusedMultiplyAdd(x1, b0, c1_0);
            c1_1 = Vector512.FusedMultiplyAdd(x1, b1, c1_1);
            Vector512<float> x2 = Vector512.Create(a2[p]);
            c2_0 = Vector512.FusedMultiplyAdd(x2, b0, c2_0);
            c2_1 = Vector512.FusedMultiplyAdd(x2, b1, c2_1);
            Vector512<float> x3 = Vector512.Create(a3[p]);
            c3_0 = Vector512.FusedMultiplyAdd(x3, b0, c3_0);
            c3_1 = Vector512.FusedMultiplyAdd(x3, b1, c3_1);
            Vector512<float> x4 = Vector512.Create(a4[p]);
            c4_0 = Vector512.FusedMultiplyAdd(x4, b0, c4_0);
            c4_1 = Vector512.FusedMultiplyAdd(x4, b1, c4_1);
            b += 32;
        }
        Vector512<float> va = Vector512.Create(alpha);
        if (beta == 0f)
        {
            Vector512.Store(c0_0 * va, c + 0);
            Vector512.Store(c0_1 * va, c + 16);
            Vector512.Store(c1_0 * va, c + 1 * ldc + 0);
            Vector512.Store(c1_1 * va, c + 1 * ldc + 16);
            Vector512.Store(c2_0 * va, c + 2 * ldc + 0);
            Vector512.Store(c2_1 * va, c + 2 * ldc + 16);
            Vector512.Store(c3_0 * va, c + 3 * ldc + 0);
            Vector512.Store(c3_1 * va, c + 3 * ldc + 16);
            Vector512.Store(c4_0 * va, c + 4 * ldc + 0);
            Vector512.Store(c4_1 * va, c + 4 * ldc + 16);
        }
        else
        {
            Vector512<float> vb = Vector512.Create(beta);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 0), vb, c0_0 * va), c + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 16), vb, c0_1 * va), c + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 1 * ldc + 0), vb, c1_0 * va), c + 1 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 1 * ldc + 16), vb, c1_1 * va), c + 1 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 2 * ldc + 0), vb, c2_0 * va), c + 2 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 2 * ldc + 16), vb, c2_1 * va), c + 2 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 3 * ldc + 0), vb, c3_0 * va), c + 3 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 3 * ldc + 16), vb, c3_1 * va), c + 3 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 4 * ldc + 0), vb, c4_0 * va), c + 4 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 4 * ldc + 16), vb, c4_1 * va), c + 4 * ldc + 16);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void K6x32R(int kc, float* a, long lda, float* b, float* c, long ldc, float alpha, float beta)
    {
        float* a0 = a + 0;
        float* a1 = a + lda;
        float* a2 = a + 2 * lda;
        float* a3 = a + 3 * lda;
        float* a4 = a + 4 * lda;
        float* a5 = a + 5 * lda;
        Vector512<float> c0_0 = default; Vector512<float> c0_1 = default;
        Vector512<float> c1_0 = default; Vector512<float> c1_1 = default;
        Vector512<float> c2_0 = default; Vector512<float> c2_1 = default;
        Vector512<float> c3_0 = default; Vector512<float> c3_1 = default;
        Vector512<float> c4_0 = default; Vector512<float> c4_1 = default;
        Vector512<float> c5_0 = default; Vector512<float> c5_1 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b + 0);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> x0 = Vector512.Create(a0[p]);
            c0_0 = Vector512.FusedMultiplyAdd(x0, b0, c0_0);
            c0_1 = Vector512.FusedMultiplyAdd(x0, b1, c0_1);
            Vector512<float> x1 = Vector512.Create(a1[p]);
            c1_0 = Vector512.FusedMultiplyAdd(x1, b0, c1_0);
            c1_1 = Vector512.FusedMultiplyAdd(x1, b1, c1_1);
            Vector512<float> x2 = Vector512.Create(a2[p]);
            c2_0 = Vector512.FusedMultiplyAdd(x2, b0, c2_0);
            c2_1 = Vector512.FusedMultiplyAdd(x2, b1, c2_1);
            Vector512<float> x3 = Vector512.Create(a3[p]);
            c3_0 = Vector512.FusedMultiplyAdd(x3, b0, c3_0);
            c3_1 = Vector512.FusedMultiplyAdd(x3, b1, c3_1);
            Vector512<float> x4 = Vector512.Create(a4[p]);
            c4_0 = Vector512.FusedMultiplyAdd(x4, b0, c4_0);
            c4_1 = Vector512.FusedMultiplyAdd(x4, b1, c4_1);
            Vector512<float> x5 = Vector512.Create(a5[p]);
            c5_0 = Vector512.FusedMultiplyAdd(x5, b0, c5_0);
            c5_1 = Vector512.FusedMultiplyAdd(x5, b1, c5_1);
            b += 32;
        }
        Vector512<float> va = Vector512.Create(alpha);
        if (beta == 0f)
        {
            Vector512.Store(c0_0 * va, c + 0);
            Vector512.Store(c0_1 * va, c + 16);
            Vector512.Store(c1_0 * va, c + 1 * ldc + 0);
            Vector512.Store(c1_1 * va, c + 1 * ldc + 16);
            Vector512.Store(c2_0 * va, c + 2 * ldc + 0);
            Vector512.Store(c2_1 * va, c + 2 * ldc + 16);
            Vector512.Store(c3_0 * va, c + 3 * ldc + 0);
            Vector512.Store(c3_1 * va, c + 3 * ldc + 16);
            Vector512.Store(c4_0 * va, c + 4 * ldc + 0);
            Vector512.Store(c4_1 * va, c + 4 * ldc + 16);
            Vector512.Store(c5_0 * va, c + 5 * ldc + 0);
            Vector512.Store(c5_1 * va, c + 5 * ldc + 16);
        }
        else
        {
            Vector512<float> vb = Vector512.Create(beta);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 0), vb, c0_0 * va), c + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 16), vb, c0_1 * va), c + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 1 * ldc + 0), vb, c1_0 * va), c + 1 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 1 * ldc + 16), vb, c1_1 * va), c + 1 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 2 * ldc + 0), vb, c2_0 * va), c + 2 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 2 * ldc + 16), vb, c2_1 * va), c + 2 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 3 * ldc + 0), vb, c3_0 * va), c + 3 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 3 * ldc + 16), vb, c3_1 * va), c + 3 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 4 * ldc + 0), vb, c4_0 * va), c + 4 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 4 * ldc + 16), vb, c4_1 * va), c + 4 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 5 * ldc + 0), vb, c5_0 * va), c + 5 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 5 * ldc + 16), vb, c5_1 * va), c + 5 * ldc + 16);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void K7x32R(int kc, float* a, long lda, float* b, float* c, long ldc, float alpha, float beta)
    {
        float* a0 = a + 0;
        float* a1 = a + lda;
        float* a2 = a + 2 * lda;
        float* a3 = a + 3 * lda;
        float* a4 = a + 4 * lda;
        float* a5 = a + 5 * lda;
        float* a6 = a + 6 * lda;
        Vector512<float> c0_0 = default; Vector512<float> c0_1 = default;
        Vector512<float> c1_0 = default; Vector512<float> c1_1 = default;
        Vector512<float> c2_0 = default; Vector512<float> c2_1 = default;
        Vector512<float> c3_0 = default; Vector512<float> c3_1 = default;
        Vector512<float> c4_0 = default; Vector512<float> c4_1 = default;
        Vector512<float> c5_0 = default; Vector512<float> c5_1 = default;
        Vector512<float> c6_0 = default; Vector512<float> c6_1 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b + 0);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> x0 = Vector512.Create(a0[p]);
            c0_0 = Vector512.FusedMultiplyAdd(x0, b0, c0_0);
            c0_1 = Vector512.FusedMultiplyAdd(x0, b1, c0_1);
            Vector512<float> x1 = Vector512.Create(a1[p]);
            c1_0 = Vector512.FusedMultiplyAdd(x1, b0, c1_0);
            c1_1 = Vector512.FusedMultiplyAdd(x1, b1, c1_1);
            Vector512<float> x2 = Vector512.Create(a2[p]);
            c2_0 = Vector512.FusedMultiplyAdd(x2, b0, c2_0);
            c2_1 = Vector512.FusedMultiplyAdd(x2, b1, c2_1);
            Vector512<float> x3 = Vector512.Create(a3[p]);
            c3_0 = Vector512.FusedMultiplyAdd(x3, b0, c3_0);
            c3_1 = Vector512.FusedMultiplyAdd(x3, b1, c3_1);
            Vector512<float> x4 = Vector512.Create(a4[p]);
            c4_0 = Vector512.FusedMultiplyAdd(x4, b0, c4_0);
            c4_1 = Vector512.FusedMultiplyAdd(x4, b1, c4_1);
            Vector512<float> x5 = Vector512.Create(a5[p]);
            c5_0 = Vector512.FusedMultiplyAdd(x5, b0, c5_0);
            c5_1 = Vector512.FusedMultiplyAdd(x5, b1, c5_1);
            Vector512<float> x6 = Vector512.Create(a6[p]);
            c6_0 = Vector512.FusedMultiplyAdd(x6, b0, c6_0);
            c6_1 = Vector512.FusedMultiplyAdd(x6, b1, c6_1);
            b += 32;
        }
        Vector512<float> va = Vector512.Create(alpha);
        if (beta == 0f)
        {
            Vector512.Store(c0_0 * va, c + 0);
            Vector512.Store(c0_1 * va, c + 16);
            Vector512.Store(c1_0 * va, c + 1 * ldc + 0);
            Vector512.Store(c1_1 * va, c + 1 * ldc + 16);
            Vector512.Store(c2_0 * va, c + 2 * ldc + 0);
            Vector512.Store(c2_1 * va, c + 2 * ldc + 16);
            Vector512.Store(c3_0 * va, c + 3 * ldc + 0);
            Vector512.Store(c3_1 * va, c + 3 * ldc + 16);
            Vector512.Store(c4_0 * va, c + 4 * ldc + 0);
            Vector512.Store(c4_1 * va, c + 4 * ldc + 16);
            Vector512.Store(c5_0 * va, c + 5 * ldc + 0);
            Vector512.Store(c5_1 * va, c + 5 * ldc + 16);
            Vector512.Store(c6_0 * va, c + 6 * ldc + 0);
            Vector512.Store(c6_1 * va, c + 6 * ldc + 16);
        }
        else
        {
            Vector512<float> vb = Vector512.Create(beta);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 0), vb, c0_0 * va), c + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 16), vb, c0_1 * va), c + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 1 * ldc + 0), vb, c1_0 * va), c + 1 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 1 * ldc + 16), vb, c1_1 * va), c + 1 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 2 * ldc + 0), vb, c2_0 * va), c + 2 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 2 * ldc + 16), vb, c2_1 * va), c + 2 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 3 * ldc + 0), vb, c3_0 * va), c + 3 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 3 * ldc + 16), vb, c3_1 * va), c + 3 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 4 * ldc + 0), vb, c4_0 * va), c + 4 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 4 * ldc + 16), vb, c4_1 * va), c + 4 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 5 * ldc + 0), vb, c5_0 * va), c + 5 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 5 * ldc + 16), vb, c5_1 * va), c + 5 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 6 * ldc + 0), vb, c6_0 * va), c + 6 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 6 * ldc + 16), vb, c6_1 * va), c + 6 * ldc + 16);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void K8x32R(int kc, float* a, long lda, float* b, float* c, long ldc, float alpha, float beta)
    {
        float* a0 = a + 0;
        float* a1 = a + lda;
        float* a2 = a + 2 * lda;
        float* a3 = a + 3 * lda;
        float* a4 = a + 4 * lda;
        float* a5 = a + 5 * lda;
        float* a6 = a + 6 * lda;
        float* a7 = a + 7 * lda;
        Vector512<float> c0_0 = default; Vector512<float> c0_1 = default;
        Vector512<float> c1_0 = default; Vector512<float> c1_1 = default;
        Vector512<float> c2_0 = default; Vector512<float> c2_1 = default;
        Vector512<float> c3_0 = default; Vector512<float> c3_1 = default;
        Vector512<float> c4_0 = default; Vector512<float> c4_1 = default;
        Vector512<float> c5_0 = default; Vector512<float> c5_1 = default;
        Vector512<float> c6_0 = default; Vector512<float> c6_1 = default;
        Vector512<float> c7_0 = default; Vector512<float> c7_1 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b + 0);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> x0 = Vector512.Create(a0[p]);
            c0_0 = Vector512.FusedMultiplyAdd(x0, b0, c0_0);
            c0_1 = Vector512.FusedMultiplyAdd(x0, b1, c0_1);
            Vector512<float> x1 = Vector512.Create(a1[p]);
            c1_0 = Vector512.FusedMultiplyAdd(x1, b0, c1_0);
            c1_1 = Vector512.FusedMultiplyAdd(x1, b1, c1_1);
            Vector512<float> x2 = Vector512.Create(a2[p]);
            c2_0 = Vector512.FusedMultiplyAdd(x2, b0, c2_0);
            c2_1 = Vector512.FusedMultiplyAdd(x2, b1, c2_1);
            Vector512<float> x3 = Vector512.Create(a3[p]);
            c3_0 = Vector512.FusedMultiplyAdd(x3, b0, c3_0);
            c3_1 = Vector512.FusedMultiplyAdd(x3, b1, c3_1);
            Vector512<float> x4 = Vector512.Create(a4[p]);
            c4_0 = Vector512.FusedMultiplyAdd(x4, b0, c4_0);
            c4_1 = Vector512.FusedMultiplyAdd(x4, b1, c4_1);
            Vector512<float> x5 = Vector512.Create(a5[p]);
            c5_0 = Vector512.FusedMultiplyAdd(x5, b0, c5_0);
            c5_1 = Vector512.FusedMultiplyAdd(x5, b1, c5_1);
            Vector512<float> x6 = Vector512.Create(a6[p]);
            c6_0 = Vector512.FusedMultiplyAdd(x6, b0, c6_0);
            c6_1 = Vector512.FusedMultiplyAdd(x6, b1, c6_1);
            Vector512<float> x7 = Vector512.Create(a7[p]);
            c7_0 = Vector512.FusedMultiplyAdd(x7, b0, c7_0);
            c7_1 = Vector512.FusedMultiplyAdd(x7, b1, c7_1);
            b += 32;
        }
        Vector512<float> va = Vector512.Create(alpha);
        if (beta == 0f)
        {
            Vector512.Store(c0_0 * va, c + 0);
            Vector512.Store(c0_1 * va, c + 16);
            Vector512.Store(c1_0 * va, c + 1 * ldc + 0);
            Vector512.Store(c1_1 * va, c + 1 * ldc + 16);
            Vector512.Store(c2_0 * va, c + 2 * ldc + 0);
            Vector512.Store(c2_1 * va, c + 2 * ldc + 16);
            Vector512.Store(c3_0 * va, c + 3 * ldc + 0);
            Vector512.Store(c3_1 * va, c + 3 * ldc + 16);
            Vector512.Store(c4_0 * va, c + 4 * ldc + 0);
            Vector512.Store(c4_1 * va, c + 4 * ldc + 16);
            Vector512.Store(c5_0 * va, c + 5 * ldc + 0);
            Vector512.Store(c5_1 * va, c + 5 * ldc + 16);
            Vector512.Store(c6_0 * va, c + 6 * ldc + 0);
            Vector512.Store(c6_1 * va, c + 6 * ldc + 16);
            Vector512.Store(c7_0 * va, c + 7 * ldc + 0);
            Vector512.Store(c7_1 * va, c + 7 * ldc + 16);
        }
        else
        {
            Vector512<float> vb = Vector512.Create(beta);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 0), vb, c0_0 * va), c + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 16), vb, c0_1 * va), c + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 1 * ldc + 0), vb, c1_0 * va), c + 1 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 1 * ldc + 16), vb, c1_1 * va), c + 1 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 2 * ldc + 0), vb, c2_0 * va), c + 2 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 2 * ldc + 16), vb, c2_1 * va), c + 2 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 3 * ldc + 0), vb, c3_0 * va), c + 3 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 3 * ldc + 16), vb, c3_1 * va), c + 3 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 4 * ldc + 0), vb, c4_0 * va), c + 4 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 4 * ldc + 16), vb, c4_1 * va), c + 4 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 5 * ldc + 0), vb, c5_0 * va), c + 5 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 5 * ldc + 16), vb, c5_1 * va), c + 5 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 6 * ldc + 0), vb, c6_0 * va), c + 6 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 6 * ldc + 16), vb, c6_1 * va), c + 6 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 7 * ldc + 0), vb, c7_0 * va), c + 7 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 7 * ldc + 16), vb, c7_1 * va), c + 7 * ldc + 16);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void K1x32C(int kc, float* a, long lda, float* b, float* c, long ldc, float alpha, float beta)
    {
        Vector512<float> c0_0 = default; Vector512<float> c0_1 = default;
        for (int p = 0; p < kc; p++, a += lda)
        {
            Vector512<float> b0 = Vector512.Load(b + 0);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> x0 = Vector512.Create(a[0]);
            c0_0 = Vector512.FusedMultiplyAdd(x0, b0, c0_0);
            c0_1 = Vector512.FusedMultiplyAdd(x0, b1, c0_1);
            b += 32;
        }
        Vector512<float> va = Vector512.Create(alpha);
        if (beta == 0f)
        {
            Vector512.Store(c0_0 * va, c + 0);
            Vector512.Store(c0_1 * va, c + 16);
        }
        else
        {
            Vector512<float> vb = Vector512.Create(beta);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 0), vb, c0_0 * va), c + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 16), vb, c0_1 * va), c + 16);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void K2x32C(int kc, float* a, long lda, float* b, float* c, long ldc, float alpha, float beta)
    {
        Vector512<float> c0_0 = default; Vector512<float> c0_1 = default;
        Vector512<float> c1_0 = default; Vector512<float> c1_1 = default;
        for (int p = 0; p < kc; p++, a += lda)
        {
            Vector512<float> b0 = Vector512.Load(b + 0);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> x0 = Vector512.Create(a[0]);
            c0_0 = Vector512.FusedMultiplyAdd(x0, b0, c0_0);
            c0_1 = Vector512.FusedMultiplyAdd(x0, b1, c0_1);
            Vector512<float> x1 = Vector512.Create(a[1]);
            c1_0 = Vector512.FusedMultiplyAdd(x1, b0, c1_0);
            c1_1 = Vector512.FusedMultiplyAdd(x1, b1, c1_1);
            b += 32;
        }
        Vector512<float> va = Vector512.Create(alpha);
        if (beta == 0f)
        {
            Vector512.Store(c0_0 * va, c + 0);
            Vector512.Store(c0_1 * va, c + 16);
            Vector512.Store(c1_0 * va, c + 1 * ldc + 0);
            Vector512.Store(c1_1 * va, c + 1 * ldc + 16);
        }
        else
        {
            Vector512<float> vb = Vector512.Create(beta);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 0), vb, c0_0 * va), c + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 16), vb, c0_1 * va), c + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 1 * ldc + 0), vb, c1_0 * va), c + 1 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 1 * ldc + 16), vb, c1_1 * va), c + 1 * ldc + 16);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void K3x32C(int kc, float* a, long lda, float* b, float* c, long ldc, float alpha, float beta)
    {
        Vector512<float> c0_0 = default; Vector512<float> c0_1 = default;
        Vector512<float> c1_0 = default; Vector512<float> c1_1 = default;
        Vector512<float> c2_0 = default; Vector512<float> c2_1 = default;
        for (int p = 0; p < kc; p++, a += lda)
        {
            Vector512<float> b0 = Vector512.Load(b + 0);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> x0 = Vector512.Create(a[0]);
            c0_0 = Vector512.FusedMultiplyAdd(x0, b0, c0_0);
            c0_1 = Vector512.FusedMultiplyAdd(x0, b1, c0_1);
            Vector512<float> x1 = Vector512.Create(a[1]);
            c1_0 = Vector512.FusedMultiplyAdd(x1, b0, c1_0);
            c1_1 = Vector512.FusedMultiplyAdd(x1, b1, c1_1);
            Vector512<float> x2 = Vector512.Create(a[2]);
            c2_0 = Vector512.FusedMultiplyAdd(x2, b0, c2_0);
            c2_1 = Vector512.FusedMultiplyAdd(x2, b1, c2_1);
            b += 32;
        }
        Vector512<float> va = Vector512.Create(alpha);
        if (beta == 0f)
        {
            Vector512.Store(c0_0 * va, c + 0);
            Vector512.Store(c0_1 * va, c + 16);
            Vector512.Store(c1_0 * va, c + 1 * ldc + 0);
            Vector512.Store(c1_1 * va, c + 1 * ldc + 16);
            Vector512.Store(c2_0 * va, c + 2 * ldc + 0);
            Vector512.Store(c2_1 * va, c + 2 * ldc + 16);
        }
        else
        {
            Vector512<float> vb = Vector512.Create(beta);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 0), vb, c0_0 * va), c + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 16), vb, c0_1 * va), c + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 1 * ldc + 0), vb, c1_0 * va), c + 1 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 1 * ldc + 16), vb, c1_1 * va), c + 1 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 2 * ldc + 0), vb, c2_0 * va), c + 2 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 2 * ldc + 16), vb, c2_1 * va), c + 2 * ldc + 16);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void K4x32C(int kc, float* a, long lda, float* b, float* c, long ldc, float alpha, float beta)
    {
        Vector512<float> c0_0 = default; Vector512<float> c0_1 = default;
        Vector512<float> c1_0 = default; Vector512<float> c1_1 = default;
        Vector512<float> c2_0 = default; Vector512<float> c2_1 = default;
        Vector512<float> c3_0 = default; Vector512<float> c3_1 = default;
        for (int p = 0; p < kc; p++, a += lda)
        {
            Vector512<float> b0 = Vector512.Load(b + 0);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> x0 = Vector512.Create(a[0]);
            c0_0 = Vector512.FusedMultiplyAdd(x0, b0, c0_0);
            c0_1 = Vector512.FusedMultiplyAdd(x0, b1, c0_1);
            Vector512<float> x1 = Vector512.Create(a[1]);
            c1_0 = Vector512.FusedMultiplyAdd(x1, b0, c1_0);
            c1_1 = Vector512.FusedMultiplyAdd(x1, b1, c1_1);
            Vector512<float> x2 = Vector512.Create(a[2]);
            c2_0 = Vector512.FusedMultiplyAdd(x2, b0, c2_0);
            c2_1 = Vector512.FusedMultiplyAdd(x2, b1, c2_1);
            Vector512<float> x3 = Vector512.Create(a[3]);
            c3_0 = Vector512.FusedMultiplyAdd(x3, b0, c3_0);
            c3_1 = Vector512.FusedMultiplyAdd(x3, b1, c3_1);
            b += 32;
        }
        Vector512<float> va = Vector512.Create(alpha);
        if (beta == 0f)
        {
            Vector512.Store(c0_0 * va, c + 0);
            Vector512.Store(c0_1 * va, c + 16);
            Vector512.Store(c1_0 * va, c + 1 * ldc + 0);
            Vector512.Store(c1_1 * va, c + 1 * ldc + 16);
            Vector512.Store(c2_0 * va, c + 2 * ldc + 0);
            Vector512.Store(c2_1 * va, c + 2 * ldc + 16);
            Vector512.Store(c3_0 * va, c + 3 * ldc + 0);
            Vector512.Store(c3_1 * va, c + 3 * ldc + 16);
        }
        else
        {
            Vector512<float> vb = Vector512.Create(beta);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 0), vb, c0_0 * va), c + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 16), vb, c0_1 * va), c + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 1 * ldc + 0), vb, c1_0 * va), c + 1 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 1 * ldc + 16), vb, c1_1 * va), c + 1 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 2 * ldc + 0), vb, c2_0 * va), c + 2 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 2 * ldc + 16), vb, c2_1 * va), c + 2 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 3 * ldc + 0), vb, c3_0 * va), c + 3 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 3 * ldc + 16), vb, c3_1 * va), c + 3 * ldc + 16);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void K5x32C(int kc, float* a, long lda, float* b, float* c, long ldc, float alpha, float beta)
    {
        Vector512<float> c0_0 = default; Vector512<float> c0_1 = default;
        Vector512<float> c1_0 = default; Vector512<float> c1_1 = default;
        Vector512<float> c2_0 = default; Vector512<float> c2_1 = default;
        Vector512<float> c3_0 = default; Vector512<float> c3_1 = default;
        Vector512<float> c4_0 = default; Vector512<float> c4_1 = default;
        for (int p = 0; p < kc; p++, a += lda)
        {
            Vector512<float> b0 = Vector512.Load(b + 0);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> x0 = Vector512.Create(a[0]);
            c0_0 = Vector512.FusedMultiplyAdd(x0, b0, c0_0);
            c0_1 = Vector512.FusedMultiplyAdd(x0, b1, c0_1);
            Vector512<float> x1 = Vector512.Create(a[1]);
            c1_0 = Vector512.FusedMultiplyAdd(x1, b0, c1_0);
            c1_1 = Vector512.FusedMultiplyAdd(x1, b1, c1_1);
            Vector512<float> x2 = Vector512.Create(a[2]);
            c2_0 = Vector512.FusedMultiplyAdd(x2, b0, c2_0);
            c2_1 = Vector512.FusedMultiplyAdd(x2, b1, c2_1);
            Vector512<float> x3 = Vector512.Create(a[3]);
            c3_0 = Vector512.FusedMultiplyAdd(x3, b0, c3_0);
            c3_1 = Vector512.FusedMultiplyAdd(x3, b1, c3_1);
            Vector512<float> x4 = Vector512.Create(a[4]);
            c4_0 = Vector512.FusedMultiplyAdd(x4, b0, c4_0);
            c4_1 = Vector512.FusedMultiplyAdd(x4, b1, c4_1);
            b += 32;
        }
        Vector512<float> va = Vector512.Create(alpha);
        if (beta == 0f)
        {
            Vector512.Store(c0_0 * va, c + 0);
            Vector512.Store(c0_1 * va, c + 16);
            Vector512.Store(c1_0 * va, c + 1 * ldc + 0);
            Vector512.Store(c1_1 * va, c + 1 * ldc + 16);
            Vector512.Store(c2_0 * va, c + 2 * ldc + 0);
            Vector512.Store(c2_1 * va, c + 2 * ldc + 16);
            Vector512.Store(c3_0 * va, c + 3 * ldc + 0);
            Vector512.Store(c3_1 * va, c + 3 * ldc + 16);
            Vector512.Store(c4_0 * va, c + 4 * ldc + 0);
            Vector512.Store(c4_1 * va, c + 4 * ldc + 16);
        }
        else
        {
            Vector512<float> vb = Vector512.Create(beta);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 0), vb, c0_0 * va), c + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 16), vb, c0_1 * va), c + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 1 * ldc + 0), vb, c1_0 * va), c + 1 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 1 * ldc + 16), vb, c1_1 * va), c + 1 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 2 * ldc + 0), vb, c2_0 * va), c + 2 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 2 * ldc + 16), vb, c2_1 * va), c + 2 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 3 * ldc + 0), vb, c3_0 * va), c + 3 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 3 * ldc + 16), vb, c3_1 * va), c + 3 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 4 * ldc + 0), vb, c4_0 * va), c + 4 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 4 * ldc + 16), vb, c4_1 * va), c + 4 * ldc + 16);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void K6x32C(int kc, float* a, long lda, float* b, float* c, long ldc, float alpha, float beta)
    {
        Vector512<float> c0_0 = default; Vector512<float> c0_1 = default;
        Vector512<float> c1_0 = default; Vector512<float> c1_1 = default;
        Vector512<float> c2_0 = default; Vector512<float> c2_1 = default;
        Vector512<float> c3_0 = default; Vector512<float> c3_1 = default;
        Vector512<float> c4_0 = default; Vector512<float> c4_1 = default;
        Vector512<float> c5_0 = default; Vector512<float> c5_1 = default;
        for (int p = 0; p < kc; p++, a += lda)
        {
            Vector512<float> b0 = Vector512.Load(b + 0);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> x0 = Vector512.Create(a[0]);
            c0_0 = Vector512.FusedMultiplyAdd(x0, b0, c0_0);
            c0_1 = Vector512.FusedMultiplyAdd(x0, b1, c0_1);
            Vector512<float> x1 = Vector512.Create(a[1]);
            c1_0 = Vector512.FusedMultiplyAdd(x1, b0, c1_0);
            c1_1 = Vector512.FusedMultiplyAdd(x1, b1, c1_1);
            Vector512<float> x2 = Vector512.Create(a[2]);
            c2_0 = Vector512.FusedMultiplyAdd(x2, b0, c2_0);
            c2_1 = Vector512.FusedMultiplyAdd(x2, b1, c2_1);
            Vector512<float> x3 = Vector512.Create(a[3]);
            c3_0 = Vector512.FusedMultiplyAdd(x3, b0, c3_0);
            c3_1 = Vector512.FusedMultiplyAdd(x3, b1, c3_1);
            Vector512<float> x4 = Vector512.Create(a[4]);
            c4_0 = Vector512.FusedMultiplyAdd(x4, b0, c4_0);
            c4_1 = Vector512.FusedMultiplyAdd(x4, b1, c4_1);
            Vector512<float> x5 = Vector512.Create(a[5]);
            c5_0 = Vector512.FusedMultiplyAdd(x5, b0, c5_0);
            c5_1 = Vector512.FusedMultiplyAdd(x5, b1, c5_1);
            b += 32;
        }
        Vector512<float> va = Vector512.Create(alpha);
        if (beta == 0f)
        {
            Vector512.Store(c0_0 * va, c + 0);
            Vector512.Store(c0_1 * va, c + 16);
            Vector512.Store(c1_0 * va, c + 1 * ldc + 0);
            Vector512.Store(c1_1 * va, c + 1 * ldc + 16);
            Vector512.Store(c2_0 * va, c + 2 * ldc + 0);
            Vector512.Store(c2_1 * va, c + 2 * ldc + 16);
            Vector512.Store(c3_0 * va, c + 3 * ldc + 0);
            Vector512.Store(c3_1 * va, c + 3 * ldc + 16);
            Vector512.Store(c4_0 * va, c + 4 * ldc + 0);
            Vector512.Store(c4_1 * va, c + 4 * ldc + 16);
            Vector512.Store(c5_0 * va, c + 5 * ldc + 0);
            Vector512.Store(c5_1 * va, c + 5 * ldc + 16);
        }
        else
        {
            Vector512<float> vb = Vector512.Create(beta);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 0), vb, c0_0 * va), c + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 16), vb, c0_1 * va), c + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 1 * ldc + 0), vb, c1_0 * va), c + 1 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 1 * ldc + 16), vb, c1_1 * va), c + 1 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 2 * ldc + 0), vb, c2_0 * va), c + 2 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 2 * ldc + 16), vb, c2_1 * va), c + 2 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 3 * ldc + 0), vb, c3_0 * va), c + 3 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 3 * ldc + 16), vb, c3_1 * va), c + 3 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 4 * ldc + 0), vb, c4_0 * va), c + 4 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 4 * ldc + 16), vb, c4_1 * va), c + 4 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 5 * ldc + 0), vb, c5_0 * va), c + 5 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 5 * ldc + 16), vb, c5_1 * va), c + 5 * ldc + 16);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void K7x32C(int kc, float* a, long lda, float* b, float* c, long ldc, float alpha, float beta)
    {
        Vector512<float> c0_0 = default; Vector512<float> c0_1 = default;
        Vector512<float> c1_0 = default; Vector512<float> c1_1 = default;
        Vector512<float> c2_0 = default; Vector512<float> c2_1 = default;
        Vector512<float> c3_0 = default; Vector512<float> c3_1 = default;
        Vector512<float> c4_0 = default; Vector512<float> c4_1 = default;
        Vector512<float> c5_0 = default; Vector512<float> c5_1 = default;
        Vector512<float> c6_0 = default; Vector512<float> c6_1 = default;
        for (int p = 0; p < kc; p++, a += lda)
        {
            Vector512<float> b0 = Vector512.Load(b + 0);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> x0 = Vector512.Create(a[0]);
            c0_0 = Vector512.FusedMultiplyAdd(x0, b0, c0_0);
            c0_1 = Vector512.FusedMultiplyAdd(x0, b1, c0_1);
            Vector512<float> x1 = Vector512.Create(a[1]);
            c1_0 = Vector512.FusedMultiplyAdd(x1, b0, c1_0);
            c1_1 = Vector512.FusedMultiplyAdd(x1, b1, c1_1);
            Vector512<float> x2 = Vector512.Create(a[2]);
            c2_0 = Vector512.FusedMultiplyAdd(x2, b0, c2_0);
            c2_1 = Vector512.FusedMultiplyAdd(x2, b1, c2_1);
            Vector512<float> x3 = Vector512.Create(a[3]);
            c3_0 = Vector512.FusedMultiplyAdd(x3, b0, c3_0);
            c3_1 = Vector512.FusedMultiplyAdd(x3, b1, c3_1);
            Vector512<float> x4 = Vector512.Create(a[4]);
            c4_0 = Vector512.FusedMultiplyAdd(x4, b0, c4_0);
            c4_1 = Vector512.FusedMultiplyAdd(x4, b1, c4_1);
            Vector512<float> x5 = Vector512.Create(a[5]);
            c5_0 = Vector512.FusedMultiplyAdd(x5, b0, c5_0);
            c5_1 = Vector512.FusedMultiplyAdd(x5, b1, c5_1);
            Vector512<float> x6 = Vector512.Create(a[6]);
            c6_0 = Vector512.FusedMultiplyAdd(x6, b0, c6_0);
            c6_1 = Vector512.FusedMultiplyAdd(x6, b1, c6_1);
            b += 32;
        }
        Vector512<float> va = Vector512.Create(alpha);
        if (beta == 0f)
        {
            Vector512.Store(c0_0 * va, c + 0);
            Vector512.Store(c0_1 * va, c + 16);
            Vector512.Store(c1_0 * va, c + 1 * ldc + 0);
            Vector512.Store(c1_1 * va, c + 1 * ldc + 16);
            Vector512.Store(c2_0 * va, c + 2 * ldc + 0);
            Vector512.Store(c2_1 * va, c + 2 * ldc + 16);
            Vector512.Store(c3_0 * va, c + 3 * ldc + 0);
            Vector512.Store(c3_1 * va, c + 3 * ldc + 16);
            Vector512.Store(c4_0 * va, c + 4 * ldc + 0);
            Vector512.Store(c4_1 * va, c + 4 * ldc + 16);
            Vector512.Store(c5_0 * va, c + 5 * ldc + 0);
            Vector512.Store(c5_1 * va, c + 5 * ldc + 16);
            Vector512.Store(c6_0 * va, c + 6 * ldc + 0);
            Vector512.Store(c6_1 * va, c + 6 * ldc + 16);
        }
        else
        {
            Vector512<float> vb = Vector512.Create(beta);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 0), vb, c0_0 * va), c + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 16), vb, c0_1 * va), c + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 1 * ldc + 0), vb, c1_0 * va), c + 1 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 1 * ldc + 16), vb, c1_1 * va), c + 1 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 2 * ldc + 0), vb, c2_0 * va), c + 2 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 2 * ldc + 16), vb, c2_1 * va), c + 2 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 3 * ldc + 0), vb, c3_0 * va), c + 3 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 3 * ldc + 16), vb, c3_1 * va), c + 3 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 4 * ldc + 0), vb, c4_0 * va), c + 4 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 4 * ldc + 16), vb, c4_1 * va), c + 4 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 5 * ldc + 0), vb, c5_0 * va), c + 5 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 5 * ldc + 16), vb, c5_1 * va), c + 5 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 6 * ldc + 0), vb, c6_0 * va), c + 6 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 6 * ldc + 16), vb, c6_1 * va), c + 6 * ldc + 16);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void K8x32C(int kc, float* a, long lda, float* b, float* c, long ldc, float alpha, float beta)
    {
        Vector512<float> c0_0 = default; Vector512<float> c0_1 = default;
        Vector512<float> c1_0 = default; Vector512<float> c1_1 = default;
        Vector512<float> c2_0 = default; Vector512<float> c2_1 = default;
        Vector512<float> c3_0 = default; Vector512<float> c3_1 = default;
        Vector512<float> c4_0 = default; Vector512<float> c4_1 = default;
        Vector512<float> c5_0 = default; Vector512<float> c5_1 = default;
        Vector512<float> c6_0 = default; Vector512<float> c6_1 = default;
        Vector512<float> c7_0 = default; Vector512<float> c7_1 = default;
        for (int p = 0; p < kc; p++, a += lda)
        {
            Vector512<float> b0 = Vector512.Load(b + 0);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> x0 = Vector512.Create(a[0]);
            c0_0 = Vector512.FusedMultiplyAdd(x0, b0, c0_0);
            c0_1 = Vector512.FusedMultiplyAdd(x0, b1, c0_1);
            Vector512<float> x1 = Vector512.Create(a[1]);
            c1_0 = Vector512.FusedMultiplyAdd(x1, b0, c1_0);
            c1_1 = Vector512.FusedMultiplyAdd(x1, b1, c1_1);
            Vector512<float> x2 = Vector512.Create(a[2]);
            c2_0 = Vector512.FusedMultiplyAdd(x2, b0, c2_0);
            c2_1 = Vector512.FusedMultiplyAdd(x2, b1, c2_1);
            Vector512<float> x3 = Vector512.Create(a[3]);
            c3_0 = Vector512.FusedMultiplyAdd(x3, b0, c3_0);
            c3_1 = Vector512.FusedMultiplyAdd(x3, b1, c3_1);
            Vector512<float> x4 = Vector512.Create(a[4]);
            c4_0 = Vector512.FusedMultiplyAdd(x4, b0, c4_0);
            c4_1 = Vector512.FusedMultiplyAdd(x4, b1, c4_1);
            Vector512<float> x5 = Vector512.Create(a[5]);
            c5_0 = Vector512.FusedMultiplyAdd(x5, b0, c5_0);
            c5_1 = Vector512.FusedMultiplyAdd(x5, b1, c5_1);
            Vector512<float> x6 = Vector512.Create(a[6]);
            c6_0 = Vector512.FusedMultiplyAdd(x6, b0, c6_0);
            c6_1 = Vector512.FusedMultiplyAdd(x6, b1, c6_1);
            Vector512<float> x7 = Vector512.Create(a[7]);
            c7_0 = Vector512.FusedMultiplyAdd(x7, b0, c7_0);
            c7_1 = Vector512.FusedMultiplyAdd(x7, b1, c7_1);
            b += 32;
        }
        Vector512<float> va = Vector512.Create(alpha);
        if (beta == 0f)
        {
            Vector512.Store(c0_0 * va, c + 0);
            Vector512.Store(c0_1 * va, c + 16);
            Vector512.Store(c1_0 * va, c + 1 * ldc + 0);
            Vector512.Store(c1_1 * va, c + 1 * ldc + 16);
            Vector512.Store(c2_0 * va, c + 2 * ldc + 0);
            Vector512.Store(c2_1 * va, c + 2 * ldc + 16);
            Vector512.Store(c3_0 * va, c + 3 * ldc + 0);
            Vector512.Store(c3_1 * va, c + 3 * ldc + 16);
            Vector512.Store(c4_0 * va, c + 4 * ldc + 0);
            Vector512.Store(c4_1 * va, c + 4 * ldc + 16);
            Vector512.Store(c5_0 * va, c + 5 * ldc + 0);
            Vector512.Store(c5_1 * va, c + 5 * ldc + 16);
            Vector512.Store(c6_0 * va, c + 6 * ldc + 0);
            Vector512.Store(c6_1 * va, c + 6 * ldc + 16);
            Vector512.Store(c7_0 * va, c + 7 * ldc + 0);
            Vector512.Store(c7_1 * va, c + 7 * ldc + 16);
        }
        else
        {
            Vector512<float> vb = Vector512.Create(beta);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 0), vb, c0_0 * va), c + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 16), vb, c0_1 * va), c + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 1 * ldc + 0), vb, c1_0 * va), c + 1 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 1 * ldc + 16), vb, c1_1 * va), c + 1 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 2 * ldc + 0), vb, c2_0 * va), c + 2 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 2 * ldc + 16), vb, c2_1 * va), c + 2 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 3 * ldc + 0), vb, c3_0 * va), c + 3 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 3 * ldc + 16), vb, c3_1 * va), c + 3 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 4 * ldc + 0), vb, c4_0 * va), c + 4 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 4 * ldc + 16), vb, c4_1 * va), c + 4 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 5 * ldc + 0), vb, c5_0 * va), c + 5 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 5 * ldc + 16), vb, c5_1 * va), c + 5 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 6 * ldc + 0), vb, c6_0 * va), c + 6 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 6 * ldc + 16), vb, c6_1 * va), c + 6 * ldc + 16);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 7 * ldc + 0), vb, c7_0 * va), c + 7 * ldc + 0);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 7 * ldc + 16), vb, c7_1 * va), c + 7 * ldc + 16);
        }
    }

    public static delegate*<int, float*, long, float*, float*, long, float, float, void> GetR(int rows) => rows switch
    {
        1 => &K1x32R,
        2 => &K2x32R,
        3 => &K3x32R,
        4 => &K4x32R,
        5 => &K5x32R,
        6 => &K6x32R,
        7 => &K7x32R,
        8 => &K8x32R,
        _ => throw new ArgumentOutOfRangeException(nameof(rows)),
    };

    public static delegate*<int, float*, long, float*, float*, long, float, float, void> GetC(int rows) => rows switch
    {
        1 => &K1x32C,
        2 => &K2x32C,
        3 => &K3x32C,
        4 => &K4x32C,
        5 => &K5x32C,
        6 => &K6x32C,
        7 => &K7x32C,
        8 => &K8x32C,
        _ => throw new ArgumentOutOfRangeException(nameof(rows)),
    };

}
