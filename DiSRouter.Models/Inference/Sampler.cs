using System.Numerics.Tensors;
using DiSRouter.Models.Layers;

namespace DiSRouter.Models.Inference;

/// <summary>Picks the next token from one row of logits: greedy, or temperature + top-p with a seeded stream.</summary>
internal sealed class Sampler(int vocab)
{
    private readonly float[] _probs = new float[vocab];
    private readonly int[] _order = new int[vocab];

    public int Next(ReadOnlySpan<float> logits, float temperature, float topP, ref SampleRng rng)
    {
        if (temperature <= 0) return ArgMax(logits);
        var p = _probs.AsSpan(0, logits.Length);
        TensorPrimitives.Multiply(logits, 1f / temperature, p);
        Softmax.InPlace(p);
        double u = rng.NextDouble();
        if (topP >= 1f)
        {
            double total = 0;
            foreach (var v in p) total += v;
            double target = u * total, cum = 0;
            for (int i = 0; i < p.Length; i++)
                if ((cum += p[i]) > target) return i;
            return LastNonZero(p);
        }

        // Nucleus: most likely first (ties by lower id, so top-p → 0 picks exactly the greedy token), keep the
        // shortest prefix whose mass reaches topP, and draw within it.
        var order = _order.AsSpan(0, p.Length);
        for (int i = 0; i < order.Length; i++) order[i] = i;
        var probs = _probs;
        order.Sort((a, b) => probs[a] != probs[b] ? probs[b].CompareTo(probs[a]) : a.CompareTo(b));
        double kept = 0;
        int k = 0;
        while (k < order.Length)
        {
            kept += p[order[k++]];
            if (kept >= topP) break;
        }
        double t = u * kept, c = 0;
        for (int i = 0; i < k; i++)
            if ((c += p[order[i]]) > t) return order[i];
        return order[k - 1];
    }

    /// <summary>First index of the largest logit (the same tie rule as torch.argmax).</summary>
    public static int ArgMax(ReadOnlySpan<float> logits)
    {
        int best = 0;
        float max = logits[0];
        for (int i = 1; i < logits.Length; i++)
            if (logits[i] > max) { max = logits[i]; best = i; }
        return best;
    }

    private static int LastNonZero(ReadOnlySpan<float> p)
    {
        for (int i = p.Length - 1; i > 0; i--) if (p[i] > 0) return i;
        return 0;
    }
}
