namespace DiSRouter.Training.SelfAwareness;

/// <summary>What an agent did with one query: answered right, answered wrong, or declined.</summary>
internal enum ResponseOutcome
{
    Correct,
    Wrong,
    Rejected,
}

/// <summary>
/// The scenario-conditioned reward of self-awareness RL:
/// 1 for a correct answer, 0 for a wrong one, (1 − α)^γ for a rejection.
/// Answering pays in expectation p(x), rejecting (1 − α)^γ, so the policy that maximises it answers exactly
/// when its chance of being right exceeds (1 − α)^γ: a threshold that falls as cost matters more. γ below 1
/// keeps that threshold high for most α (reliability first) and lets it drop only when cost dominates.
/// </summary>
internal sealed record SelfAwarenessReward
{
    public const double DefaultGamma = 0.5;

    public SelfAwarenessReward(double gamma = DefaultGamma)
    {
        if (double.IsNaN(gamma) || gamma < 0 || gamma > 1)
            throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "The reliability factor γ must lie in [0, 1].");
        Gamma = gamma;
    }

    /// <summary>The reliability factor γ.</summary>
    public double Gamma { get; }

    public double For(ResponseOutcome outcome, double alpha)
    {
        if (double.IsNaN(alpha) || alpha < 0 || alpha > 1)
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "The preference factor α must lie in [0, 1].");
        return outcome switch
        {
            ResponseOutcome.Correct => 1.0,
            ResponseOutcome.Wrong => 0.0,
            ResponseOutcome.Rejected => RejectionReward(alpha),
            _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "Unknown outcome."),
        };
    }

    /// <summary>(1 − α)^γ; also the capability above which answering beats rejecting in expectation.</summary>
    public double RejectionReward(double alpha) => Math.Pow(1 - alpha, Gamma);
}
