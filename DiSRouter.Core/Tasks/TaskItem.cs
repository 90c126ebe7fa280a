using System.Text;

namespace DiSRouter.Core.Tasks;

/// <summary>
/// One graded question. <see cref="Answer"/> is the reference final answer (a letter for multiple choice);
/// <see cref="Reasoning"/> the short reference chain of thought. The model sees <see cref="Prompt"/> and is trained
/// to write <see cref="Target"/>.
/// </summary>
/// <param name="Id">Stable id, unique within a split ("arithmetic-test-3-0007").</param>
/// <param name="Family">The family name (<see cref="TaskFamilies"/> for the built-in ones).</param>
/// <param name="Domain"><see cref="TaskDomain.InDomain"/> or <see cref="TaskDomain.OutOfDomain"/>.</param>
/// <param name="Difficulty">1 (easiest) to 5 for generated items; 0 when untagged (JSONL without a difficulty).</param>
/// <param name="Question">The question stem without the options; for reading items the passage is part of it.</param>
/// <param name="Choices">The option texts in order A, B, C, …; null for open questions.</param>
/// <param name="Answer">The reference final answer: a number, a text, or an option letter.</param>
/// <param name="Reasoning">The reference steps, no trailing period; empty when unknown.</param>
public sealed record TaskItem(
    string Id,
    string Family,
    string Domain,
    int Difficulty,
    string Question,
    IReadOnlyList<string>? Choices,
    string Answer,
    string Reasoning)
{
    /// <summary>What the model is asked: the question, then one line per option ("A) Telsk").</summary>
    public string Prompt => Choices is null ? Question : Question + "\n" + FormatChoices(Choices);

    /// <summary>The reference reply in the answer template.</summary>
    public string Target => AnswerTemplate.Format(Reasoning, ReplyAnswer ?? Answer);

    /// <summary>
    /// The final answer the reference reply writes when it is not <see cref="Answer"/> itself but another form the
    /// grader accepts for it (a multiple-choice option's text for its letter); null otherwise. Not serialised.
    /// </summary>
    public string? ReplyAnswer { get; init; }

    /// <summary>
    /// What decides the split: the question itself, or for items about one knowledge-base fact the fact, so that
    /// no fact is asked in training and tested under another wording. Not serialised.
    /// </summary>
    internal string SplitKey { get; init; } = "";

    public static string OptionLetter(int index) => ((char)('A' + index)).ToString();

    public static string FormatChoices(IReadOnlyList<string> choices)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < choices.Count; i++)
        {
            if (i > 0) sb.Append('\n');
            sb.Append(OptionLetter(i)).Append(") ").Append(choices[i]);
        }
        return sb.ToString();
    }

    // Records compare lists by reference; items are compared by content (determinism tests, dedup).
    public bool Equals(TaskItem? other) =>
        other is not null && Id == other.Id && Family == other.Family && Domain == other.Domain &&
        Difficulty == other.Difficulty && Question == other.Question && Answer == other.Answer &&
        Reasoning == other.Reasoning && ReplyAnswer == other.ReplyAnswer &&
        (Choices is null ? other.Choices is null : other.Choices is not null && Choices.SequenceEqual(other.Choices));

    public override int GetHashCode() => HashCode.Combine(Id, Question, Answer);
}
