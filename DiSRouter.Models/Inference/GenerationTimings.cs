namespace DiSRouter.Models.Inference;

/// <summary>
/// Where one <see cref="Generator.Generate(int[], GenerationOptions, Func{int, string, bool}?, CancellationToken, GenerationTimings?)"/>
/// call spent its time. Pass an instance to have it filled: a caller that stops at the first token (an agent that
/// reads "I" as "I don't know") pays set-up, prefill and the first token, and nothing of <see cref="Decode"/>.
/// </summary>
public sealed class GenerationTimings
{
    /// <summary>Checking the prompt and options and renting a workspace (KV cache and activations).</summary>
    public TimeSpan SetUp { get; internal set; }

    /// <summary>The prompt pass that fills the KV cache and yields the first token's logits, and sharing the cache out to the samples.</summary>
    public TimeSpan Prefill { get; internal set; }

    /// <summary>Picking the first token of every sample and asking whether each goes on (stop strings, the caller's callback).</summary>
    public TimeSpan FirstToken { get; internal set; }

    /// <summary>Every later token: one forward step of the running samples, then picking and checking, per token.</summary>
    public TimeSpan Decode { get; internal set; }

    /// <summary>Prompt tokens whose keys and values came from a recent prompt with the same start (<see cref="PrefixCache"/>), not from the prefill.</summary>
    public int ReusedPromptTokens { get; internal set; }

    /// <summary>Forward steps after the prompt pass (0 when every sample finished at its first token).</summary>
    public int DecodeSteps { get; internal set; }

    public TimeSpan Total => SetUp + Prefill + FirstToken + Decode;
}
