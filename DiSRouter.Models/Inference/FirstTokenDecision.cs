namespace DiSRouter.Models.Inference;

/// <summary>
/// A self-aware model's decision read off its first-token distribution: an answer opens with one token (the answer
/// template's first), a rejection with another ("I don't know"'s first). The gap between their logits is the model's
/// own case for answering; greedy decoding answers when the answer token is the most likely one.
/// </summary>
public static class FirstTokenDecision
{
    /// <summary>logit(answer) − logit(reject): log of p(answer) / p(reject).</summary>
    public static double LogitGap(ReadOnlySpan<float> logits, int answerToken, int rejectToken) =>
        (double)logits[answerToken] - logits[rejectToken];

    /// <summary>p(answer) / (p(answer) + p(reject)), the gap as a share in (0, 1).</summary>
    public static double AnswerShare(double logitGap) => 1.0 / (1.0 + Math.Exp(-logitGap));

    /// <summary>The most likely token (the first of equals), as greedy decoding picks it.</summary>
    public static int ArgMax(ReadOnlySpan<float> logits) => Sampler.ArgMax(logits);
}
