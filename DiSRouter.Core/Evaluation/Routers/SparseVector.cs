namespace DiSRouter.Core.Evaluation.Routers;

/// <summary>A sparse feature vector: sorted distinct indices and their values.</summary>
public sealed record SparseVector(int[] Index, double[] Value)
{
    public double Dot(ReadOnlySpan<double> dense)
    {
        double s = 0;
        for (int j = 0; j < Index.Length; j++) s += Value[j] * dense[Index[j]];
        return s;
    }

    public double Dot(SparseVector other)
    {
        double s = 0;
        int a = 0, b = 0;
        while (a < Index.Length && b < other.Index.Length)
        {
            if (Index[a] == other.Index[b]) s += Value[a++] * other.Value[b++];
            else if (Index[a] < other.Index[b]) a++;
            else b++;
        }
        return s;
    }

    /// <summary>dense += scale · this.</summary>
    public void AddTo(Span<double> dense, double scale)
    {
        for (int j = 0; j < Index.Length; j++) dense[Index[j]] += scale * Value[j];
    }
}
