using DiSRouter.Core.Tasks.Grading;

namespace DiSRouter.Core.Tasks;

/// <summary>What a family is, for listings and reports; <see cref="TaskSuite"/> generates its items.</summary>
/// <param name="Name">Kebab-case, stable: it appears in reports and JSONL files.</param>
/// <param name="Domain"><see cref="TaskDomain.InDomain"/> (trained on) or <see cref="TaskDomain.OutOfDomain"/> (never).</param>
/// <param name="Description">One line: what is asked and what the difficulty knob turns.</param>
/// <param name="Graders">The graders its items get (<see cref="Grading.Grader.KindFor"/> picks one per item); reading families mix numbers and names.</param>
/// <param name="Mirrors">The public benchmark it stands in for.</param>
public sealed record TaskFamily(string Name, string Domain, string Description, IReadOnlyList<GraderKind> Graders, string Mirrors);

/// <summary>The names of the built-in families.</summary>
public static class TaskFamilies
{
    public const string Arithmetic = "arithmetic";
    public const string WordProblem = "word-problem";
    public const string VariableChain = "variable-chain";
    public const string Knowledge = "knowledge";
    public const string MultipleChoice = "multiple-choice";
    public const string Reading = "reading";

    public const string ArithmeticReworded = "arithmetic-reworded";
    public const string WordProblemReworded = "word-problem-reworded";
    public const string VariableChainReworded = "variable-chain-reworded";
    public const string KnowledgeReworded = "knowledge-reworded";
    public const string ReadingReworded = "reading-reworded";
    public const string MultipleChoiceReworded = "multiple-choice-reworded";
}
