namespace DiSRouter.Training.SelfAwareness;

/// <summary>How the SFT data balances answers against rejections.</summary>
internal enum SftBalance
{
    /// <summary>
    /// As many answers as rejections in every scenario (the paper's rule). The answer share is then one half whatever
    /// α is, so only the choice of queries tells the scenarios apart.
    /// </summary>
    PerScenario,

    /// <summary>
    /// As many answers as rejections over all scenarios together; inside each scenario the labels keep their natural
    /// odds times one common factor (the one that brings the whole set to one half). The answer share then rises with
    /// α as the labels do, so the scenario instruction carries how often to answer, and no reply is favoured overall.
    /// </summary>
    Overall,
}
