namespace DiSRouter.Agents.Apis;

/// <summary>
/// Decides how much of a growing reply may be streamed: never text that could still turn out to be part of a stop
/// sequence (the final reply leaves it out), and never half a character (an incomplete UTF-8 sequence decodes as
/// U+FFFD until its last byte arrives). What is held back goes out with <see cref="Rest"/> at the end.
/// </summary>
internal sealed class StreamGate(IReadOnlyList<string> stops)
{
    private int _sent;

    /// <summary>The new text that is safe to send now ("" when none).</summary>
    public string Advance(string textSoFar)
    {
        var safe = textSoFar.Length;
        foreach (var stop in stops)
        {
            var at = textSoFar.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0) safe = Math.Min(safe, at);
            for (int k = Math.Min(stop.Length - 1, textSoFar.Length); k > 0; k--)
                if (textSoFar.AsSpan().EndsWith(stop.AsSpan(0, k), StringComparison.Ordinal)) { safe = Math.Min(safe, textSoFar.Length - k); break; }
        }
        while (safe > 0 && textSoFar[safe - 1] == '\uFFFD') safe--;
        if (safe > 0 && char.IsHighSurrogate(textSoFar[safe - 1])) safe--;
        if (safe <= _sent) return "";
        var delta = textSoFar[_sent..safe];
        _sent = safe;
        return delta;
    }

    /// <summary>What the final reply holds beyond what was sent.</summary>
    public string Rest(string finalText) => finalText.Length > _sent ? finalText[_sent..] : "";
}
