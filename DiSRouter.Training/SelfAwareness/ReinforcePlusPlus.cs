namespace DiSRouter.Training.SelfAwareness;

/// <summary>
/// One sampled response for RL, laid out like the engine's log-probabilities: index i holds log p(token i+1 | tokens ≤ i)
/// of the whole sequence (prompt + response). <paramref name="Mask"/> is 1 where token i+1 was written by the policy
/// (the response and its end-of-sequence), 0 over the prompt. <paramref name="Reward"/> is the outcome reward.
/// </summary>
internal sealed record RlRollout(float[] OldLogProbs, float[] RefLogProbs, float[] Mask, double Reward)
{
    public int ResponseTokens => Mask.Count(m => m > 0);
}

internal sealed record ReinforcePlusPlusOptions
{
    /// <summary>β of the per-token KL penalty to the reference (SFT) policy; small, so the reward dominates.</summary>
    public double KlCoef { get; init; } = 0.01;

    /// <summary>ε of the clipped ratio: one update may move a token's probability by at most ±20 % where it helps.</summary>
    public double ClipEpsilon { get; init; } = 0.2;

    /// <summary>Added to the batch variance before the square root, so a batch of equal returns gives zero advantages, not NaN.</summary>
    public double WhitenEpsilon { get; init; } = 1e-8;
}

/// <summary>Advantages of a batch (arrays aligned with each rollout's log-probs, zero off the mask) and what they came from.</summary>
internal sealed record RlAdvantages(float[][] Values, int Tokens, double MeanReward, double MeanKl, double ReturnMean, double ReturnStd);

/// <summary>A loss value and its gradient with respect to the current log-probs, per rollout and token.</summary>
internal sealed record RlLoss(double Value, float[][] Gradient, double ClipFraction, double MeanRatio);

/// <summary>
/// REINFORCE++ (no critic, batch-normalised advantages) with a PPO-clipped surrogate. Exactly:
/// <code>
/// per answer token t of rollout i (mask = 1):
///   k_t    = log π_old(t) − log π_ref(t)                                 (k1 KL estimator, detached)
///   r_t    = −β·k_t  + [t is the last answer token]·R_i                  (outcome reward folded into the last token)
///   G_t    = Σ_{s ≥ t, s answer token of i} r_s                          (return, discount 1)
///   A_t    = (G_t − μ) / sqrt(σ² + 1e-8)                                  (μ, σ² = mean and population variance of G over
///                                                                          every answer token of the whole batch)
///   ρ_t    = exp(log π_θ(t) − log π_old(t))
///   ℓ_t    = −min(ρ_t·A_t, clip(ρ_t, 1 − ε, 1 + ε)·A_t)
/// L = (1/T) Σ_{i,t} ℓ_t,  T = number of answer tokens in the batch
/// dL/dlog π_θ(t) = −ρ_t·A_t / T where the unclipped term is the minimum, 0 where the clipped (constant) term is:
///   A_t ≥ 0 and ρ_t > 1 + ε, or A_t &lt; 0 and ρ_t &lt; 1 − ε.
/// </code>
/// No per-prompt baseline: the batch whitening is the only baseline. π_old is the policy that drew the samples;
/// with one update per batch it equals π_θ, so ρ = 1 and the loss is plain REINFORCE on whitened returns.
/// </summary>
internal sealed class ReinforcePlusPlus(ReinforcePlusPlusOptions options)
{
    public ReinforcePlusPlusOptions Options { get; } = options;

    public RlAdvantages Advantages(IReadOnlyList<RlRollout> batch)
    {
        var returns = new float[batch.Count][];
        double sum = 0, klSum = 0;
        int n = 0;
        for (int i = 0; i < batch.Count; i++)
        {
            var r = batch[i];
            if (r.OldLogProbs.Length != r.Mask.Length || r.RefLogProbs.Length != r.Mask.Length)
                throw new ArgumentException($"Rollout {i}: log-probs and mask differ in length.", nameof(batch));
            var g = returns[i] = new float[r.Mask.Length];
            int last = Array.FindLastIndex(r.Mask, m => m > 0);
            if (last < 0) throw new ArgumentException($"Rollout {i} has no answer token.", nameof(batch));
            double running = 0;
            for (int t = last; t >= 0; t--)
            {
                if (r.Mask[t] <= 0) continue;
                double kl = (double)r.OldLogProbs[t] - r.RefLogProbs[t];
                klSum += kl;
                running += -Options.KlCoef * kl + (t == last ? r.Reward : 0);
                g[t] = (float)running;
                sum += running;
                n++;
            }
        }
        double mean = sum / n, sq = 0;
        for (int i = 0; i < batch.Count; i++)
            for (int t = 0; t < returns[i].Length; t++)
                if (batch[i].Mask[t] > 0) sq += (returns[i][t] - mean) * (returns[i][t] - mean);
        double variance = sq / n, scale = 1 / Math.Sqrt(variance + Options.WhitenEpsilon);
        var adv = new float[batch.Count][];
        for (int i = 0; i < batch.Count; i++)
        {
            adv[i] = new float[returns[i].Length];
            for (int t = 0; t < adv[i].Length; t++)
                if (batch[i].Mask[t] > 0) adv[i][t] = (float)((returns[i][t] - mean) * scale);
        }
        return new RlAdvantages(adv, n, batch.Average(r => r.Reward), klSum / n, mean, Math.Sqrt(variance));
    }

    /// <summary>
    /// The clipped surrogate over some rollouts (a micro-batch of the batch the advantages came from), normalised by
    /// <paramref name="totalTokens"/>, the answer tokens of the whole batch, so that micro-batch gradients add up to the batch's.
    /// </summary>
    public RlLoss Loss(IReadOnlyList<RlRollout> rollouts, IReadOnlyList<float[]> advantages, IReadOnlyList<float[]> currentLogProbs, int totalTokens)
    {
        if (advantages.Count != rollouts.Count || currentLogProbs.Count != rollouts.Count)
            throw new ArgumentException("Rollouts, advantages and current log-probs must have the same count.");
        if (totalTokens <= 0) throw new ArgumentOutOfRangeException(nameof(totalTokens), totalTokens, "Need at least one answer token.");
        double eps = Options.ClipEpsilon, loss = 0, ratioSum = 0;
        int clipped = 0, tokens = 0;
        var grad = new float[rollouts.Count][];
        for (int i = 0; i < rollouts.Count; i++)
        {
            var r = rollouts[i];
            var cur = currentLogProbs[i];
            if (cur.Length != r.Mask.Length || advantages[i].Length != r.Mask.Length)
                throw new ArgumentException($"Rollout {i}: current log-probs or advantages differ in length from the mask.");
            var g = grad[i] = new float[cur.Length];
            for (int t = 0; t < cur.Length; t++)
            {
                if (r.Mask[t] <= 0) continue;
                double a = advantages[i][t];
                double ratio = Math.Exp((double)cur[t] - r.OldLogProbs[t]);
                double clippedRatio = Math.Clamp(ratio, 1 - eps, 1 + eps);
                double unclippedTerm = ratio * a, clippedTerm = clippedRatio * a;
                bool clipActive = clippedTerm < unclippedTerm;
                loss -= Math.Min(unclippedTerm, clippedTerm);
                g[t] = clipActive ? 0f : (float)(-ratio * a / totalTokens);
                if (clipActive) clipped++;
                ratioSum += ratio;
                tokens++;
            }
        }
        return new RlLoss(loss / totalTokens, grad, tokens == 0 ? 0 : (double)clipped / tokens, tokens == 0 ? 1 : ratioSum / tokens);
    }
}
