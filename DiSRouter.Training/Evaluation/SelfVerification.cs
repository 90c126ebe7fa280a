using DiSRouter.Core.Tasks;
using DiSRouter.Models.Tokenization;
using DiSRouter.Training.SelfAwareness;

namespace DiSRouter.Training.Evaluation;

/// <summary>
/// The second prompt of the AutoMix-style cascade: the model is shown the query and the final answer it gave, and asked
/// whether that answer is right, as a two-option question in the nano world's multiple-choice layout ("A) yes / B) no");
/// its reply is forced to the answer template's final-answer marker, so the next token is its verdict. WHY this layout:
/// the nano models were pretrained on the task families alone, never on "is this correct?"; the multiple-choice layout
/// and the template's marker are the only way of asking for a verdict they have seen, and reading the two options'
/// logits at the marker costs one prompt pass where AutoMix samples k verifications.
/// </summary>
internal static class SelfVerification
{
    public const string YesOption = "A";
    public const string NoOption = "B";

    /// <summary>The verification question: the query, the answer under review, and the two options.</summary>
    public static string Question(string query, string? answer) =>
        $"{query}\nProposed answer: {answer ?? "none"}\nIs the proposed answer right?\n{TaskItem.FormatChoices(["yes", "no"])}";

    /// <summary>
    /// Prompt tokens and the forced reply prefix ("The final answer is: "); the query is cut from its start when the whole
    /// would not fit <paramref name="maxPositions"/> (the question and options at its end stay).
    /// </summary>
    public static int[] Encode(ITokenizer tokenizer, TrainingQuery query, string reply, int maxPositions)
    {
        var answer = AnswerTemplate.Parse(reply).Answer;
        var forced = tokenizer.Encode(AnswerTemplate.FinalAnswerPrefix);
        var text = query.Question;
        while (true)
        {
            var prompt = ChatFormat.EncodePrompt(tokenizer, query.System, Question(text, answer));
            if (prompt.Length + forced.Length <= maxPositions) return [.. prompt, .. forced];
            // Only an answer longer than the context is left: keep the end, where the verdict is asked.
            if (text.Length == 0) return ((int[])[.. prompt, .. forced])[^maxPositions..];
            text = text[Math.Min(text.Length, prompt.Length + forced.Length - maxPositions)..];
        }
    }
}
