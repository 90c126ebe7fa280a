using DiSRouter.Models.Tokenization;

namespace DiSRouter.Models.Inference;

/// <summary>
/// When a sample that just produced a token is finished, and its text so far: shared by both engines' generators so
/// that eos, stop strings, the length limit and the caller's abort read the same way in each.
/// </summary>
internal static class SampleStop
{
    /// <summary>The finish reason, or null while the sample runs; <paramref name="text"/> is updated when it is needed.</summary>
    public static string? Check(ITokenizer tokenizer, List<int> ids, ref string text, int index, int token, GenerationOptions o, int maxNew,
        bool needText, Func<int, string, bool>? shouldContinue)
    {
        if (o.StopAtEos && token == tokenizer.EosId)
        {
            text = tokenizer.Decode(ids.ToArray().AsSpan(0, ids.Count - 1));
            return FinishReasons.Stop;
        }
        if (needText || ids.Count == maxNew) text = tokenizer.Decode(ids.ToArray());
        if (o.StopStrings.Count > 0)
        {
            int cut = -1;
            foreach (var stop in o.StopStrings)
            {
                int at = text.IndexOf(stop, StringComparison.Ordinal);
                if (at >= 0 && (cut < 0 || at < cut)) cut = at;
            }
            if (cut >= 0)
            {
                text = text[..cut];
                return FinishReasons.Stop;
            }
        }
        if (ids.Count == maxNew) return FinishReasons.Length;
        if (shouldContinue is not null && !shouldContinue(index, text)) return FinishReasons.Aborted;
        return null;
    }
}
