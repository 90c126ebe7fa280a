namespace DiSRouter.Models.Inference;

/// <summary>
/// One completion. <see cref="TokenIds"/> are every token the model produced, the final &lt;|eos|&gt; and the tokens
/// of a matched stop string included (what a policy-gradient step needs); <see cref="Text"/> is the answer as a
/// reader sees it: without the &lt;|eos|&gt; and cut before the stop string.
/// </summary>
public sealed record GenerationResult(string Text, int[] TokenIds, string FinishReason, int PromptTokens);

/// <summary>Values of <see cref="GenerationResult.FinishReason"/>.</summary>
public static class FinishReasons
{
    /// <summary>&lt;|eos|&gt; or a stop string.</summary>
    public const string Stop = "stop";

    /// <summary>MaxNewTokens or the model's context length was reached.</summary>
    public const string Length = "length";

    /// <summary>The caller's shouldContinue returned false for this sample.</summary>
    public const string Aborted = "aborted";
}
