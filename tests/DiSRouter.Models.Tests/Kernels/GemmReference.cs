namespace DiSRouter.Models.Tests.Kernels;

/// <summary>
/// A stored matrix with a row stride (ld) that may exceed its logical width, plus a naive double-accumulating
/// reference product to check the engine against.
/// </summary>
internal sealed class StoredMatrix
{
    public const float Sentinel = 12345.5f;   // fills the padding past the logical width; must survive every call

    public StoredMatrix(int rows, int cols, int ld, Random random, float fill = float.NaN, bool randomValues = true)
    {
        Rows = rows; Cols = cols; Ld = ld;
        Data = new float[Math.Max(1, rows * ld)];
        Array.Fill(Data, Sentinel);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                Data[r * ld + c] = randomValues ? (float)(random.NextDouble() * 2 - 1) : fill;
    }

    public int Rows { get; }
    public int Cols { get; }
    public int Ld { get; }
    public float[] Data { get; }

    public float this[int r, int c] => Data[r * Ld + c];

    /// <summary>True when every float outside the logical rows × cols view still holds the sentinel.</summary>
    public bool PaddingIntact()
    {
        for (int i = 0; i < Data.Length; i++)
        {
            int r = i / Ld, c = i % Ld;
            bool inside = r < Rows && c < Cols;
            if (!inside && Data[i] != Sentinel) return false;
        }
        return true;
    }
}

internal static class GemmReference
{
    /// <summary>
    /// Relative tolerance for float32 products of depth k against a double reference: rounding errors of a sum of
    /// k terms grow like sqrt(k) in practice; the bound is taken relative to Σ|terms| so cancellation cannot fool it.
    /// </summary>
    public static double Tolerance(int k) => 1e-5 * Math.Sqrt(Math.Max(k, 1)) + 1e-6;

    /// <summary>Checks C (after the call) against alpha·op(A)·op(B) + beta·C0 element by element; returns a failure message or null.</summary>
    public static string? Check(bool transA, bool transB, int m, int n, int k, float alpha, StoredMatrix a, StoredMatrix b, float beta, float[] c0, StoredMatrix c)
    {
        double tol = Tolerance(k);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0, magnitude = 0;
                for (int p = 0; p < k; p++)
                {
                    double av = transA ? a[p, i] : a[i, p];
                    double bv = transB ? b[j, p] : b[p, j];
                    sum += av * bv;
                    magnitude += Math.Abs(av * bv);
                }
                double old = beta == 0f ? 0 : c0[i * c.Ld + j];
                double expected = alpha * sum + beta * old;
                double scale = Math.Abs(alpha) * magnitude + Math.Abs(beta * old) + 1e-30;
                double actual = c[i, j];
                if (!(Math.Abs(actual - expected) <= tol * scale))
                    return $"C[{i},{j}] = {actual}, expected {expected} (tolerance {tol * scale:G3}) for transA={transA} transB={transB} m={m} n={n} k={k} alpha={alpha} beta={beta}";
            }
        }
        return c.PaddingIntact() ? null : "the call wrote outside the logical view of C";
    }
}
