using System.Text.RegularExpressions;

namespace DiSRouter.Core.Tasks.Grading;

/// <summary>
/// Multiple choice: the reply may name the option by letter ("B", "(B)", "B)", "B.", "Option B", "b") or by its
/// text ("Telsk"), or both ("B) Telsk", where the letter wins). Without the template the answer line is read, else
/// the last option letter standing alone in the reply, else a last line equal to an option's text.
/// </summary>
public static partial class ChoiceGrader
{
    [GeneratedRegex(@"^\(?([A-Za-z])\)?[.):]?$")]
    private static partial Regex LetterOnly();

    [GeneratedRegex(@"^(?:the\s+)?(?:option|choice|answer|letter)\s*[:#]?\s*\(?([A-Za-z])\)?(?![A-Za-z])", RegexOptions.IgnoreCase)]
    private static partial Regex NamedLetter();

    [GeneratedRegex(@"^\(?([A-Z])[).:]\s+\S")]
    private static partial Regex LetterThenText();

    [GeneratedRegex(@"(?<![A-Za-z])\(([A-Z])\)|(?<![A-Za-z(])([A-Z])\)")]
    private static partial Regex MarkedLetter();

    [GeneratedRegex(@"(?<![A-Za-z'’])[A-Z](?![A-Za-z'’])")]
    private static partial Regex BareLetter();

    /// <summary>The index of "A", "(b)", … within <paramref name="count"/> options, or -1.</summary>
    public static int LetterIndex(string? letter, int count)
    {
        if (letter is null) return -1;
        var m = LetterOnly().Match(letter.Trim());
        if (!m.Success) return -1;
        var i = char.ToUpperInvariant(m.Groups[1].Value[0]) - 'A';
        return i >= 0 && i < count ? i : -1;
    }

    /// <summary>The option a reply picks, or -1 when it picks none it can be held to.</summary>
    public static int Extract(string? response, IReadOnlyList<string> choices)
    {
        if (string.IsNullOrWhiteSpace(response) || choices.Count == 0) return -1;
        var span = AnswerExtraction.Explicit(response);
        if (span is not null) return FromSpan(span, choices);

        var marked = Last(MarkedLetter().Matches(response), choices.Count);
        if (marked >= 0) return marked;
        var bare = Last(BareLetter().Matches(response), choices.Count);
        if (bare >= 0) return bare;
        var line = AnswerExtraction.LastLine(response);
        return line is null ? -1 : ByText(line, choices);
    }

    public static bool IsCorrect(string? response, IReadOnlyList<string> choices, string referenceLetter)
    {
        var expected = LetterIndex(referenceLetter, choices.Count);
        if (expected < 0)
            throw new ArgumentException($"The reference '{referenceLetter}' is not an option letter among {choices.Count} options.", nameof(referenceLetter));
        return Extract(response, choices) == expected;
    }

    private static int FromSpan(string span, IReadOnlyList<string> choices)
    {
        var s = span.Trim();
        var letter = LetterIndex(s, choices.Count);
        if (letter >= 0) return letter;
        var named = NamedLetter().Match(s);
        if (named.Success) return Index(named.Groups[1].Value, choices.Count);
        var lead = LetterThenText().Match(s);
        if (lead.Success) return Index(lead.Groups[1].Value, choices.Count);
        var text = ByText(s, choices);
        if (text >= 0) return text;
        var marked = Last(MarkedLetter().Matches(s), choices.Count);
        return marked >= 0 ? marked : Last(BareLetter().Matches(s), choices.Count);
    }

    // Equal to one option's text, else containing exactly one option's text as whole words.
    private static int ByText(string s, IReadOnlyList<string> choices)
    {
        var norm = TextGrader.Normalize(s);
        if (norm.Length == 0) return -1;
        var normalized = choices.Select(TextGrader.Normalize).ToList();
        var exact = normalized.IndexOf(norm);
        if (exact >= 0 && normalized.LastIndexOf(norm) == exact) return exact;
        var padded = " " + norm + " ";
        var containing = Enumerable.Range(0, choices.Count)
            .Where(i => normalized[i].Length > 0 && padded.Contains(" " + normalized[i] + " ", StringComparison.Ordinal)).ToList();
        return containing.Count == 1 ? containing[0] : -1;
    }

    private static int Last(MatchCollection matches, int count)
    {
        for (var k = matches.Count - 1; k >= 0; k--)
        {
            var m = matches[k];
            var value = m.Groups.Count > 1 && m.Groups[1].Success ? m.Groups[1].Value
                : m.Groups.Count > 2 && m.Groups[2].Success ? m.Groups[2].Value : m.Value;
            var i = Index(value, count);
            if (i >= 0) return i;
        }
        return -1;
    }

    private static int Index(string letter, int count)
    {
        var i = char.ToUpperInvariant(letter[0]) - 'A';
        return i >= 0 && i < count ? i : -1;
    }
}
