namespace DiSRouter.Models.Tokenization;

/// <summary>
/// The chat layout every DiSRouter model is trained and prompted with:
/// <c>&lt;|bos|&gt;&lt;|system|&gt;{system}&lt;|user|&gt;{user}&lt;|assistant|&gt;{answer}&lt;|eos|&gt;</c>.
/// A null system prompt leaves out the &lt;|system|&gt; segment entirely (an empty one keeps the marker).
/// </summary>
public static class ChatFormat
{
    /// <summary>The prompt up to and including &lt;|assistant|&gt;; the model continues with the answer and &lt;|eos|&gt;.</summary>
    public static int[] EncodePrompt(ITokenizer tokenizer, string? system, string user)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(user);
        // A Hugging Face model is prompted in its own layout (ChatML for Qwen2), the one it was trained with.
        if (tokenizer is ByteLevelBpeTokenizer { ChatTemplate: { } chat }) return chat.EncodePrompt(tokenizer, system, user);
        var ids = new List<int>(user.Length + (system?.Length ?? 0) + 4) { tokenizer.BosId };
        if (system is not null)
        {
            ids.Add(Special(tokenizer, SpecialTokens.System));
            ids.AddRange(tokenizer.Encode(system));
        }
        ids.Add(Special(tokenizer, SpecialTokens.User));
        ids.AddRange(tokenizer.Encode(user));
        ids.Add(Special(tokenizer, SpecialTokens.Assistant));
        return ids.ToArray();
    }

    /// <summary>
    /// A training example: the prompt, the answer and &lt;|eos|&gt;, with a loss mask of 1 on the answer tokens and
    /// the &lt;|eos|&gt; (so the model learns to answer and to stop) and 0 on the prompt. Mask index t weights the
    /// prediction of Tokens[t], as <c>TrainingExample</c> expects.
    /// </summary>
    public static (int[] Tokens, float[] LossMask) EncodeExample(ITokenizer tokenizer, string? system, string user, string answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var prompt = EncodePrompt(tokenizer, system, user);
        var answerIds = tokenizer.Encode(answer);
        var tokens = new int[prompt.Length + answerIds.Length + 1];
        prompt.CopyTo(tokens, 0);
        answerIds.CopyTo(tokens, prompt.Length);
        tokens[^1] = tokenizer.EosId;
        var mask = new float[tokens.Length];
        mask.AsSpan(prompt.Length).Fill(1f);
        return (tokens, mask);
    }

    private static int Special(ITokenizer tokenizer, string name) =>
        tokenizer.TryGetSpecial(name, out int id) ? id
            : throw new ArgumentException($"The tokenizer has no {name} token, which the chat format needs.");
}
