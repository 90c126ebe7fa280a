namespace DiSRouter.Models.Layers;

/// <summary>
/// cos/sin of the rotary angles pos·θ^(−2i/D) for every position below <see cref="MaxPositions"/> and every
/// pair index i &lt; D/2; row p of <see cref="Cos"/>/<see cref="Sin"/> holds position p. Computed in double, stored in float.
/// </summary>
internal sealed class RopeTable
{
    public RopeTable(int maxPositions, int headDim, double theta)
    {
        if (headDim <= 0 || headDim % 2 != 0) throw new ArgumentException("Rotary embedding needs an even head dimension.", nameof(headDim));
        MaxPositions = maxPositions;
        HeadDim = headDim;
        Half = headDim / 2;
        Cos = new float[maxPositions * Half];
        Sin = new float[maxPositions * Half];
        for (int i = 0; i < Half; i++)
        {
            double invFreq = 1.0 / Math.Pow(theta, 2.0 * i / headDim);
            for (int p = 0; p < maxPositions; p++)
            {
                double angle = p * invFreq;
                Cos[p * Half + i] = (float)Math.Cos(angle);
                Sin[p * Half + i] = (float)Math.Sin(angle);
            }
        }
    }

    public int MaxPositions { get; }
    public int HeadDim { get; }
    public int Half { get; }
    public float[] Cos { get; }   // (MaxPositions, D/2)
    public float[] Sin { get; }   // (MaxPositions, D/2)

    public static RopeTable For(TransformerConfig config) => new(config.MaxPositionEmbeddings, config.HeadDim, config.RopeTheta);
}
