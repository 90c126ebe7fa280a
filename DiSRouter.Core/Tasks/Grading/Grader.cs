using DiSRouter.Core.Scenarios;

namespace DiSRouter.Core.Tasks.Grading;

/// <summary>Grades a reply to an item with the grader the item calls for; a rejection is recognised first.</summary>
public static class Grader
{
    public static GraderKind KindFor(TaskItem item) =>
        item.Choices is { Count: > 0 } ? GraderKind.Choice
        : NumericGrader.IsNumber(item.Answer) ? GraderKind.Numeric
        : GraderKind.Text;

    /// <summary>
    /// True when the reply declines: it begins with "I don't know" (any case, straight or curly apostrophe,
    /// "dont", "do not"), as <see cref="ScenarioPrompt.RejectText"/> does. An empty reply is not a rejection.
    /// </summary>
    public static bool IsRejection(string? response)
    {
        if (string.IsNullOrWhiteSpace(response)) return false;
        var s = response.TrimStart().TrimStart('"', '\'', '*', '`').Replace('’', '\'').ToLowerInvariant();
        return s.StartsWith("i don't know", StringComparison.Ordinal)
            || s.StartsWith("i dont know", StringComparison.Ordinal)
            || s.StartsWith("i do not know", StringComparison.Ordinal);
    }

    public static GradeResult Grade(TaskItem item, string? response)
    {
        if (IsRejection(response)) return GradeResult.Rejection;
        switch (KindFor(item))
        {
            case GraderKind.Choice:
            {
                var index = ChoiceGrader.Extract(response, item.Choices!);
                var expected = ChoiceGrader.LetterIndex(item.Answer, item.Choices!.Count);
                return new GradeResult(false, index >= 0 && index == expected, index >= 0 ? TaskItem.OptionLetter(index) : null);
            }
            case GraderKind.Numeric:
            {
                var got = NumericGrader.Extract(response);
                NumericGrader.TryParse(item.Answer, out var expected);
                return new GradeResult(false, got == expected, got?.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            default:
            {
                var got = TextGrader.Extract(response);
                return new GradeResult(false, TextGrader.IsCorrect(response, item.Answer), got);
            }
        }
    }

    public static bool IsCorrect(TaskItem item, string? response) => Grade(item, response).Correct;
}
