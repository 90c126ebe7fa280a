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
}
