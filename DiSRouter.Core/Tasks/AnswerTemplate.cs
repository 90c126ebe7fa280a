using System.Text;

namespace DiSRouter.Core.Tasks;

/// <summary>
/// The reply template every agent is trained to use when it answers: "Let's think step by step: &lt;steps&gt;. The final
/// answer is: &lt;answer&gt;." The one place that spells it: the task suite's reference replies, the SFT targets rebuilt
/// from an agent's own samples, the answer opening a self-aware agent's decision reads and a served agent's answer prefix.
/// </summary>
public static class AnswerTemplate
{
    /// <summary>
    /// The opening an answer starts with and no rejection does, without the space that follows it: its first token is what
    /// a self-aware agent's answer/reject decision compares, decision.json records it, and an agent's answer is generated
    /// from it. WHY two spellings: the committed checkpoints were trained and calibrated on exactly these bytes.
    /// </summary>
    public const string Opening = "Let's think step by step:";

    /// <summary>The opening with its space: what precedes the steps in a formatted reply.</summary>
    public const string StepsPrefix = Opening + " ";

    /// <summary>The marker before the final answer, without its space (see <see cref="Opening"/>).</summary>
    public const string AnswerMarker = "The final answer is:";

    /// <summary>The marker with its space: what precedes the answer in a formatted reply.</summary>
    public const string FinalAnswerPrefix = AnswerMarker + " ";

    /// <summary>"Let's think step by step: {reasoning}. The final answer is: {answer}." (The task suite's reference replies.)</summary>
    public static string Format(string reasoning, string answer)
    {
        var steps = reasoning.Trim().TrimEnd('.');
        if (steps.Length == 0) return FinalAnswerPrefix + answer + ".";
        return StepsPrefix + steps + ". " + FinalAnswerPrefix + answer + ".";
    }

    /// <summary>
    /// <see cref="Format"/> with white space and trailing full stops cleaned first; empty steps give "The final answer is: X."
    /// SFT targets are rebuilt in this exact form from the model's own correct samples, so every answer the agent learns
    /// looks the same whatever the wording of the sample it came from.
    /// </summary>
    public static string Tidy(string steps, string answer) => Format(Clean(steps), Clean(answer));

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
        return Tidy(steps, final);
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
