using System.Globalization;
using System.Text.RegularExpressions;

namespace DiSRouter.Core.Tasks.Grading;

/// <summary>
/// Numbers compare by value: "1,234", "+5", "007", "12.0", "$12", "−3" (Unicode minus) all read as numbers.
/// From the template's span it takes the number after the last "=" (so "12+2=14" reads 14), else the first;
/// without the template, the last number of the reply.
/// </summary>
public static partial class NumericGrader
{
    // Thousands groups only in threes so "1,2,3" is not one number; no letter or digit run-ins.
    [GeneratedRegex(@"(?<![\w.,])[-+−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?!\w)|(?<![\w.,])[-+−]?\.\d+(?!\w)", RegexOptions.CultureInvariant)]
    private static partial Regex NumberPattern();

    [GeneratedRegex(@"^\s*[-+−]?\$?\s*(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\s*%?\s*$|^\s*[-+−]?\.\d+\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex WholeNumber();

    /// <summary>True when the whole text is one number (the rule that picks the numeric grader for an answer).</summary>
    public static bool IsNumber(string? text) => text is not null && WholeNumber().IsMatch(text);

    /// <summary>Parses one number in any of the accepted spellings.</summary>
    public static bool TryParse(string? text, out decimal value)
    {
        value = 0;
        if (text is null) return false;
        var cleaned = text.Trim().Replace('−', '-').Replace(",", "", StringComparison.Ordinal)
            .Replace("$", "", StringComparison.Ordinal).Replace("%", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);
        if (cleaned.StartsWith('+')) cleaned = cleaned[1..];
        return decimal.TryParse(cleaned, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>The number a reply gives as its final answer, or null.</summary>
    public static decimal? Extract(string? response)
    {
        if (string.IsNullOrEmpty(response)) return null;
        var span = AnswerExtraction.Explicit(response);
        if (span is not null)
        {
            var eq = span.LastIndexOf('=');
            if (eq >= 0) span = span[(eq + 1)..];
            var first = NumberPattern().Match(span);
            return first.Success && TryParse(first.Value, out var v) ? v : null;
        }
        var all = NumberPattern().Matches(response);
        return all.Count > 0 && TryParse(all[^1].Value, out var lastValue) ? lastValue : null;
    }

    public static bool IsCorrect(string? response, string reference)
    {
        if (!TryParse(reference, out var expected))
            throw new ArgumentException($"The reference '{reference}' is not a number.", nameof(reference));
        return Extract(response) is { } got && got == expected;
    }
}
