namespace DiSRouter.Core.Tasks.Knowledge;

/// <summary>
/// The size of the invented world and how often each fact is stated in the pretraining corpus.
/// A fact of rank r (1 = most frequent) is stated
/// <c>max(1, round(MaxRepeats · ((1 + Offset) / (r + Offset))^Exponent))</c> times: a Zipf–Mandelbrot law.
/// The offset keeps the head from being a handful of facts, so each difficulty tier (a fifth of the ranks)
/// spans a distinct band of repetition counts — the knowledge boundary a model of a given size reaches.
/// </summary>
public sealed record KnowledgeBaseOptions
{
    /// <summary>Lands, creatures and tools each; facts = 2·lands + 2·creatures + tools = 5 × this.</summary>
    public int EntitiesPerKind { get; init; } = 40;

    // Defaults (200 facts): tier medians ≈ 122, 39, 21, 13, 9 statements per pass — a thirteenfold spread. The previous
    // world (500 facts, medians 26 … 3) left even the head unlearnt: a scratch probe of a 230k-parameter member on fact
    // sheets alone recalled a fact only after it had been read on the order of a hundred times, so the head must be read
    // that often within one pool run, and the tail stays within reach of the fastest learners only.

    /// <summary>Repetitions of the rank-1 fact in one pass of the corpus.</summary>
    public int MaxRepeats { get; init; } = 400;

    /// <summary>The power-law exponent s; larger makes rare facts rarer.</summary>
    public double Exponent { get; init; } = 1.5;

    /// <summary>The Mandelbrot offset q, in ranks; 0 gives a pure Zipf law.</summary>
    public double Offset { get; init; } = 15;

    /// <summary>
    /// Also state invertible facts the other way round ("Telsk is the capital of Vornia"), ceil(n/2) times,
    /// so that the out-of-domain inverse questions ask for knowledge the corpus holds in a wording never asked.
    /// </summary>
    public bool InverseStatements { get; init; } = true;

    internal void Validate()
    {
        if (EntitiesPerKind is < 12 or > 5000)
            throw new ArgumentOutOfRangeException(nameof(EntitiesPerKind), EntitiesPerKind, "Entities per kind must lie in [12, 5000] (distractors need a dozen).");
        if (MaxRepeats < 1) throw new ArgumentOutOfRangeException(nameof(MaxRepeats), MaxRepeats, "MaxRepeats must be at least 1.");
        if (double.IsNaN(Exponent) || Exponent < 0) throw new ArgumentOutOfRangeException(nameof(Exponent), Exponent, "The exponent must be ≥ 0.");
        if (double.IsNaN(Offset) || Offset < 0) throw new ArgumentOutOfRangeException(nameof(Offset), Offset, "The offset must be ≥ 0.");
    }
}
