namespace DiSRouter.Models.Tests.Inference;

/// <summary>
/// The Qwen2-layout decoder written out plainly in double precision, straight from the named parameters:
/// an independent check of the engine's fused, cached, vectorised forward. Logits (T, V) for one sequence.
/// </summary>
internal static class ReferenceDecoder
{
    public static double[,] Logits(TransformerModel m, int[] tokens)
    {
        var c = m.Config;
        int T = tokens.Length, C = c.HiddenSize, D = c.HeadDim, hq = c.NumAttentionHeads, hkv = c.NumKeyValueHeads;
        var x = new double[T][];
        for (int t = 0; t < T; t++) x[t] = Row(m.Embedding.Data, tokens[t], C);
        foreach (var l in m.Layers)
        {
            var q = new double[T][]; var k = new double[T][]; var v = new double[T][];
            for (int t = 0; t < T; t++)
            {
                var xn = Norm(x[t], l.InputNorm.Data, c.RmsNormEps);
                q[t] = Rope(Linear(xn, l.Q.Data, l.QBias?.Data), t, hq, D, c.RopeTheta);
                k[t] = Rope(Linear(xn, l.K.Data, l.KBias?.Data), t, hkv, D, c.RopeTheta);
                v[t] = Linear(xn, l.V.Data, l.VBias?.Data);
            }
            for (int t = 0; t < T; t++)
            {
                var att = new double[hq * D];
                for (int h = 0; h < hq; h++)
                {
                    int g = h / (hq / hkv);
                    var s = new double[t + 1];
                    for (int j = 0; j <= t; j++)
                    {
                        double dot = 0;
                        for (int d = 0; d < D; d++) dot += q[t][h * D + d] * k[j][g * D + d];
                        s[j] = dot / Math.Sqrt(D);
                    }
                    double max = s.Max(), sum = 0;
                    for (int j = 0; j <= t; j++) sum += s[j] = Math.Exp(s[j] - max);
                    for (int j = 0; j <= t; j++)
                        for (int d = 0; d < D; d++) att[h * D + d] += s[j] / sum * v[j][g * D + d];
                }
                var o = Linear(att, l.O.Data, null);
                for (int i = 0; i < C; i++) x[t][i] += o[i];
                var xn = Norm(x[t], l.PostNorm.Data, c.RmsNormEps);
                var gate = Linear(xn, l.Gate.Data, null);
                var up = Linear(xn, l.Up.Data, null);
                var hidden = new double[gate.Length];
                for (int i = 0; i < hidden.Length; i++) hidden[i] = gate[i] / (1 + Math.Exp(-gate[i])) * up[i];
                var down = Linear(hidden, l.Down.Data, null);
                for (int i = 0; i < C; i++) x[t][i] += down[i];
            }
        }
        var logits = new double[T, c.VocabSize];
        for (int t = 0; t < T; t++)
        {
            var row = Linear(Norm(x[t], m.FinalNorm.Data, c.RmsNormEps), m.LmHead.Data, null);
            for (int i = 0; i < row.Length; i++) logits[t, i] = row[i];
        }
        return logits;
    }

    private static double[] Row(float[] w, int r, int n) => Enumerable.Range(0, n).Select(i => (double)w[r * n + i]).ToArray();

    private static double[] Norm(double[] x, float[] w, double eps)
    {
        double ms = x.Sum(v => v * v) / x.Length, r = 1 / Math.Sqrt(ms + eps);
        return x.Select((v, i) => v * r * w[i]).ToArray();
    }

    private static double[] Linear(double[] x, float[] w, float[]? bias)
    {
        int n = w.Length / x.Length;
        var y = new double[n];
        for (int o = 0; o < n; o++)
        {
            double s = bias?[o] ?? 0;
            for (int i = 0; i < x.Length; i++) s += x[i] * w[o * x.Length + i];
            y[o] = s;
        }
        return y;
    }

    private static double[] Rope(double[] x, int pos, int heads, int d, double theta)
    {
        var y = (double[])x.Clone();
        int half = d / 2;
        for (int h = 0; h < heads; h++)
            for (int i = 0; i < half; i++)
            {
                double a = pos / Math.Pow(theta, 2.0 * i / d), cos = Math.Cos(a), sin = Math.Sin(a);
                double x1 = x[h * d + i], x2 = x[h * d + i + half];
                y[h * d + i] = x1 * cos - x2 * sin;
                y[h * d + i + half] = x1 * sin + x2 * cos;
            }
        return y;
    }
}
