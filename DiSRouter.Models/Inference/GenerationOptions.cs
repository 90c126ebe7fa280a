namespace DiSRouter.Models.Inference;

/// <summary>
/// Sees the prompt pass's next-token logits, shape (vocab), and picks the first token of a completion; null leaves the
/// pick to the decoding options (an observer that only reads the logits).
/// </summary>
public delegate int? FirstTokenChoice(ReadOnlySpan<float> logits);

/// <summary>How <see cref="Generator.Generate"/> decodes.</summary>
public sealed record GenerationOptions
{
    /// <summary>Most tokens to produce per sample (the &lt;|eos|&gt; included); the context length may cut it shorter.</summary>
    public int MaxNewTokens { get; init; } = 256;

    /// <summary>0 means greedy (argmax); above 0 the logits are divided by it before sampling.</summary>
    public float Temperature { get; init; }

    /// <summary>Nucleus sampling: draw only from the most likely tokens whose probabilities add up to TopP (1 = all). Ignored when greedy.</summary>
    public float TopP { get; init; } = 1f;

    /// <summary>Sample i draws from a random stream seeded with Seed + i, so a batch of N equals N single runs with seeds Seed … Seed+N−1.</summary>
    public int Seed { get; init; }

    /// <summary>Text that ends a sample; the text is cut before the earliest match and the sample finishes with "stop".</summary>
    public IReadOnlyList<string> StopStrings { get; init; } = [];

    /// <summary>Completions for the one prompt, decoded together as one batch after a shared prompt pass.</summary>
    public int NumSamples { get; init; } = 1;

    /// <summary>Whether &lt;|eos|&gt; ends a sample ("stop"); when false it is an ordinary token.</summary>
    public bool StopAtEos { get; init; } = true;

    /// <summary>
    /// Whether the prompt pass may start from the cached keys and values of a recent prompt with the same opening
    /// (<see cref="PrefixCache"/>). False computes the whole prompt: WHY for evaluations — calls running side by side
    /// share the cache, and a prefix computed in a pass of another length can differ from a fresh one in the last bits
    /// of a float, so with the cache an evaluation's logits depend on which queries happened to run before it.
    /// </summary>
    public bool ReusePrefix { get; init; } = true;

    /// <summary>
    /// When set, sees the prompt pass's logits and may pick every sample's first token instead of the sampler. WHY: a
    /// self-aware agent's first token is its decision (answer or "I don't know"), which it may take by a calibrated
    /// threshold on that one distribution rather than by argmax, at no extra cost (the logits are there anyway).
    /// </summary>
    public FirstTokenChoice? ChooseFirstToken { get; init; }

    internal void Validate()
    {
        if (MaxNewTokens < 0) throw new ArgumentException($"MaxNewTokens must be ≥ 0, got {MaxNewTokens}.");
        if (!(Temperature >= 0) || float.IsInfinity(Temperature)) throw new ArgumentException($"Temperature must be a finite number ≥ 0, got {Temperature}.");
        if (!(TopP > 0 && TopP <= 1)) throw new ArgumentException($"TopP must be in (0, 1], got {TopP}.");
        if (NumSamples < 1) throw new ArgumentException($"NumSamples must be ≥ 1, got {NumSamples}.");
        ArgumentNullException.ThrowIfNull(StopStrings);
        foreach (var s in StopStrings)
            if (string.IsNullOrEmpty(s)) throw new ArgumentException("Stop strings must not be empty.");
    }
}
