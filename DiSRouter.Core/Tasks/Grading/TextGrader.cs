using System.Text;

namespace DiSRouter.Core.Tasks.Grading;

/// <summary>
/// Free-text answers compare after normalisation: case, punctuation, the articles a/an/the and runs of white space
/// do not count ("The Telsk." equals "telsk"). Without the template the answer line, else the last line, is read.
/// </summary>
public static class TextGrader
{
    private static readonly HashSet<string> Articles = new(StringComparer.Ordinal) { "a", "an", "the" };

    public static string Normalize(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var sb = new StringBuilder(text.Length);
        foreach (var ch in text.ToLowerInvariant())
            sb.Append(char.IsLetterOrDigit(ch) ? ch : ' ');
        return string.Join(' ', sb.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => !Articles.Contains(w)));
    }

    public static string? Extract(string? response) => AnswerExtraction.Explicit(response) ?? AnswerExtraction.LastLine(response);

    public static bool IsCorrect(string? response, string reference)
    {
        var got = Extract(response);
        if (got is null) return false;
        var expected = Normalize(reference);
        if (expected.Length > 0 && Normalize(got) == expected) return true;
        // A text answer that happens to be a number ("1999") still matches "1,999".
        return NumericGrader.IsNumber(got) && NumericGrader.IsNumber(reference) &&
               NumericGrader.TryParse(got, out var a) && NumericGrader.TryParse(reference, out var b) && a == b;
    }
}
