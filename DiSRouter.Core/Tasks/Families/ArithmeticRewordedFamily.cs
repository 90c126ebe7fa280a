using DiSRouter.Core.Tasks.Grading;
using static DiSRouter.Core.Tasks.Families.Steps;

namespace DiSRouter.Core.Tasks.Families;

/// <summary>
/// Out of domain, near: the arithmetic family's chains asked in wordings no training item uses ("Compute 14+7-5.",
/// "How much is 14+7-5?"); the chain and the answer are the arithmetic family's. The other out-of-domain families ask for new
/// operations or relations, which no member of the nano pool answers at all; this one measures whether a model still
/// recognises a task it knows under a new surface. Its split key is the arithmetic question of the same expression, so
/// a validation or test item never rewords an expression that training asked.
/// </summary>
internal sealed class ArithmeticRewordedFamily : ITaskGenerator
{
    private static readonly string[] Wordings = ["Compute {0}.", "Calculate {0}.", "Work out {0}.", "How much is {0}?", "Find the value of {0}."];

    public TaskFamily Info { get; } = new(TaskFamilies.ArithmeticReworded, TaskDomain.OutOfDomain,
        "Arithmetic chains in wordings never trained on; difficulty = number of operations.", [GraderKind.Numeric], "GSM8K (new wording)");

    public TaskItem Create(StableRandom rng, int difficulty)
    {
        var (expression, steps, value) = ArithmeticFamily.Chain(rng, difficulty);
        var q = string.Format(System.Globalization.CultureInfo.InvariantCulture, rng.Pick(Wordings), expression);
        return new TaskItem("", Info.Name, Info.Domain, difficulty, q, null, N(value), steps) { SplitKey = ArithmeticFamily.Question(expression) };
    }
}
