using System.Text.RegularExpressions;

namespace DiSRouter.Core.Tasks.Grading;

/// <summary>
/// Reads the final answer out of a free-form reply. The template's "The final answer is: X." wins; without it the
/// graders fall back to an "Answer: X" line, then to the last number / option letter / line.
/// </summary>
public static partial class AnswerExtraction
{
    [GeneratedRegex(@"final\s+answer\s*(?:is\b)?\s*[:：]?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FinalAnswerMarker();

    [GeneratedRegex(@"^\s*(?:\*\*)?answer(?:\*\*)?\s*[:：]\s*(.+?)\s*$", RegexOptions.IgnoreCase | RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex AnswerLinePattern();

    // A sentence ends at . ! ? followed by white space or the end, so "12.5" and "3.14" survive.
    [GeneratedRegex(@"[.!?](?=\s|$)")]
    private static partial Regex SentenceEnd();

    [GeneratedRegex(@"\\boxed\{([^{}]*)\}")]
    private static partial Regex Boxed();

    private static readonly char[] Wrappers = ['"', '\'', '`', '*', '_', ' ', '\t', '“', '”', '‘', '’'];

    /// <summary>
    /// The text after the last "final answer is:" up to the end of its sentence or line, unwrapped from quotes,
    /// markdown emphasis and \boxed{}; null when the reply has no such marker or nothing follows it.
    /// </summary>
    public static string? FinalAnswerSpan(string? response)
    {
        if (string.IsNullOrEmpty(response)) return null;
        var matches = FinalAnswerMarker().Matches(response);
        if (matches.Count == 0) return null;
        var last = matches[^1];
        return CleanSpan(response[(last.Index + last.Length)..]);
    }

    /// <summary>The value of the last "Answer: X" line, or null.</summary>
    public static string? AnswerLine(string? response)
    {
        if (string.IsNullOrEmpty(response)) return null;
        var matches = AnswerLinePattern().Matches(response);
        return matches.Count == 0 ? null : CleanSpan(matches[^1].Groups[1].Value);
    }

    /// <summary>The last non-empty line, cleaned like a span; null for an empty reply.</summary>
    public static string? LastLine(string? response)
    {
        if (string.IsNullOrWhiteSpace(response)) return null;
        var line = response.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.Length > 0);
        return line is null ? null : CleanSpan(line, cutSentence: false);
    }

    /// <summary>The template's answer, else an answer line: what every grader reads first.</summary>
    public static string? Explicit(string? response) => FinalAnswerSpan(response) ?? AnswerLine(response);

    private static string? CleanSpan(string rest, bool cutSentence = true)
    {
        var newline = rest.IndexOf('\n');
        if (newline >= 0)
        {
            // "The final answer is:\n42" puts the answer on the next line.
            var head = rest[..newline];
            rest = head.Trim(Wrappers).Length == 0 ? rest[(newline + 1)..] : head;
            newline = rest.IndexOf('\n');
            if (newline >= 0) rest = rest[..newline];
        }
        var boxed = Boxed().Match(rest);
        if (boxed.Success) rest = boxed.Groups[1].Value;
        rest = rest.Trim(Wrappers);
        if (cutSentence)
        {
            var end = SentenceEnd().Match(rest);
            if (end.Success) rest = rest[..end.Index];
        }
        else
        {
            rest = rest.TrimEnd('.', '!', '?');
        }
        rest = rest.Trim(Wrappers).TrimEnd('.', '!', '?', ',', ';').Trim(Wrappers);
        return rest.Length == 0 ? null : rest;
    }
}
