using System.Text;

namespace DiSRouter.Training.SelfAwareness;

/// <summary>
/// The answer template an agent is trained to write: "Let's think step by step: &lt;steps&gt;. The final answer is: &lt;answer&gt;."
/// SFT targets are rebuilt in this exact form from the model's own correct samples, so every answer the agent
/// learns looks the same whatever the wording of the sample it came from.
/// </summary>
internal static class AnswerTemplate
{
    public const string StepsPrefix = "Let's think step by step:";
    public const string AnswerMarker = "The final answer is:";

    /// <summary>
    /// The template filled in with white space and trailing full stops cleaned; empty steps give "The final answer is: X."
    /// The layout is the task suite's own (<see cref="Core.Tasks.AnswerTemplate"/>), so targets and reference replies agree.
    /// </summary>
    public static string Format(string steps, string answer) => Core.Tasks.AnswerTemplate.Format(Clean(steps), Clean(answer));

    /// <summary>
    /// Splits a response into its reasoning and final answer. With the marker ("final answer is", any case, with
    /// or without the colon) the steps are what precedes it (less the template's opening) and the answer the rest
    /// of its line. Without it, the steps are the whole text and the answer is unknown (null).
    /// </summary>
    public static (string Steps, string? Answer) Parse(string response)
    {
        var text = response.Replace('\u2019', '\'');
        var markerAt = text.IndexOf("final answer is", StringComparison.OrdinalIgnoreCase);
        string before = markerAt < 0 ? text : text[..markerAt];
        string? answer = null;
        if (markerAt >= 0)
        {
            var after = text[(markerAt + "final answer is".Length)..].TrimStart();
            if (after.StartsWith(':')) after = after[1..];
            var lineEnd = after.IndexOf('\n');
            answer = Clean(lineEnd < 0 ? after : after[..lineEnd]);
            // "... The final answer is" — drop the sentence opening that precedes the marker.
            var trimmedBefore = before.TrimEnd();
            if (trimmedBefore.EndsWith("The", StringComparison.OrdinalIgnoreCase)) before = trimmedBefore[..^3];
        }
        var steps = before.TrimStart();
        if (steps.StartsWith("Let's think step by step", StringComparison.OrdinalIgnoreCase))
        {
            steps = steps["Let's think step by step".Length..].TrimStart();
            if (steps.StartsWith(':')) steps = steps[1..];
        }
        return (Clean(steps), string.IsNullOrEmpty(answer) ? null : answer);
    }

    /// <summary>
    /// A sample rewritten in the exact template. The sample's own final answer (the text after the marker) stays: the
    /// grader judged the sample correct as written, and the target must be what the model itself writes. WHY not the
    /// grader's reading of it: for a multiple-choice question that reading is the option's letter ("17" read as "D"),
    /// and targets ending in a letter taught every agent to close its chains with a letter the chain never names —
    /// the trained agents then answered multiple choice at chance (20–29 %, base models 28–95 %). The grader's answer
    /// fills in only where the sample has no marker; with neither, there is nothing to train on (null).
    /// </summary>
    public static string? Normalise(string response, string? extractedAnswer)
    {
        var (steps, answer) = Parse(response);
        var final = !string.IsNullOrWhiteSpace(answer) ? answer : extractedAnswer;
        if (string.IsNullOrWhiteSpace(final)) return null;
        if (answer is null && !string.IsNullOrWhiteSpace(extractedAnswer))
        {
            // No marker: the answer usually closes the text ("... so it is 42."); do not repeat it in the steps.
            var s = steps.TrimEnd('.', ' ');
            var tail = extractedAnswer.Trim();
            if (s.Length > tail.Length && s.EndsWith(tail, StringComparison.Ordinal) && !char.IsLetterOrDigit(s[^(tail.Length + 1)]))
                steps = s[..^tail.Length];
        }
        return Format(steps, final);
    }

    /// <summary>Whitespace runs to one space; trims the ends and trailing full stops (a sentence's, not a number's inner dot).</summary>
    private static string Clean(string text)
    {
        var sb = new StringBuilder(text.Length);
        bool space = false;
        foreach (var ch in text)
        {
            if (char.IsWhiteSpace(ch)) { space = sb.Length > 0; continue; }
            if (space) { sb.Append(' '); space = false; }
            sb.Append(ch);
        }
        var s = sb.ToString();
        while (s.EndsWith('.')) s = s[..^1].TrimEnd();
        return s;
    }
}
