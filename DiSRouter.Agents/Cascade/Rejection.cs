using DiSRouter.Core.Scenarios;

namespace DiSRouter.Agents.Cascade;

/// <summary>Where a reply stands with respect to the rejection "I don't know!" (read by <see cref="DecisionWatch"/>).</summary>
internal enum RejectionState
{
    /// <summary>The text so far is still a prefix of a rejection (or empty): keep generating.</summary>
    Undecided,
    /// <summary>The reply starts with a rejection: the agent declines.</summary>
    Rejected,
    /// <summary>The reply left the rejection's prefix: the agent answers.</summary>
    Answering,
}

/// <summary>
/// Recognises a rejection from a reply's first tokens. The phrase is matched without its "!" and case-insensitively,
/// with a straight or curly apostrophe, after leading white space: a model may be stopped as soon as it has said it.
/// With <c>decideAfter</c> = n &gt; 0 the first n characters of the phrase already count as the rejection: a checkpoint
/// trained on the protocol opens every answer with the template ("Let's think…") and every rejection with
/// "I don't know!", so its first character is its decision and the other eleven byte tokens need not be paid for.
/// </summary>
internal static class Rejection
{
    /// <summary>The rejection without its punctuation: "I don't know".</summary>
    public static readonly string Phrase = ScenarioPrompt.RejectText.TrimEnd('!', '.');

    private static readonly string[] Phrases = [Phrase, Phrase.Replace('\'', '\u2019')];

    /// <param name="decideAfter">Characters of the phrase that suffice (0: the whole phrase).</param>
    public static RejectionState Classify(string textSoFar, int decideAfter = 0)
    {
        var t = textSoFar.AsSpan().TrimStart();
        foreach (var p in Phrases)
            if (t.StartsWith(p, StringComparison.OrdinalIgnoreCase)) return RejectionState.Rejected;
        foreach (var p in Phrases)
            if (p.AsSpan().StartsWith(t, StringComparison.OrdinalIgnoreCase))
                return decideAfter > 0 && t.Length >= decideAfter ? RejectionState.Rejected : RejectionState.Undecided;
        return RejectionState.Answering;
    }

    public static bool IsRejection(string reply, int decideAfter = 0) => Classify(reply, decideAfter) == RejectionState.Rejected;
}
