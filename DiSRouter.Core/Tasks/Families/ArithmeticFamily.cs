using DiSRouter.Core.Tasks.Grading;
using static DiSRouter.Core.Tasks.Families.Steps;

namespace DiSRouter.Core.Tasks.Families;

/// <summary>
/// "What is 14+7-5?" evaluated left to right. Difficulty is the number of operations (1–5); every operation is a
/// running value in [0, 99] plus or minus one digit, and from difficulty 4 on the chain starts with a one-digit
/// product. Each step is a small, learnable primitive, so a model's errors compound with the chain's length:
/// accuracy falls with difficulty like a pool's does on GSM8K, and a larger model falls more slowly. With
/// <see cref="ArithmeticOpening.TwoDigitProduct"/> the difficulty-5 chains open with a two-digit number times a digit.
/// </summary>
internal sealed class ArithmeticFamily(ArithmeticOpening hardest = ArithmeticOpening.OneDigitProduct) : ITaskGenerator
{
    public TaskFamily Info { get; } = new(TaskFamilies.Arithmetic, TaskDomain.InDomain,
        hardest == ArithmeticOpening.TwoDigitProduct
            ? "Arithmetic chains of one-digit steps, the hardest opening with a two-digit product; difficulty = number of operations."
            : "Arithmetic chains of one-digit steps; difficulty = number of operations.", [GraderKind.Numeric], "GSM8K");

    public TaskItem Create(StableRandom rng, int difficulty)
    {
        var (expression, steps, value) = Chain(rng, difficulty, hardest);
        var q = Question(expression);
        return new TaskItem("", Info.Name, Info.Domain, difficulty, q, null, N(value), steps) { SplitKey = q };
    }

    /// <summary>The question this family asks about <paramref name="expression"/> (also the split key of every rewording of it).</summary>
    public static string Question(string expression) => $"What is {expression}?";

    /// <summary>An expression of <paramref name="difficulty"/> operations, its chain of steps and its value.</summary>
    public static (string Expression, string Steps, long Value) Chain(StableRandom rng, int difficulty,
        ArithmeticOpening hardest = ArithmeticOpening.OneDigitProduct)
    {
        CheckDifficulty(difficulty);
        var steps = new List<string>();
        long value;
        string question;
        var remaining = difficulty;
        if (difficulty == 5 && hardest == ArithmeticOpening.TwoDigitProduct)
        {
            var a = rng.Between(11, 33);
            var b = rng.Between(2, Math.Min(9, 99 / a));                    // the product stays within 99
            value = a * b;
            question = $"{N(a)}*{N(b)}";
            steps.Add(Op(a, '*', b, value));
            remaining--;
        }
        else if (difficulty >= 4)
        {
            var (a, b) = (rng.Between(2, 9), rng.Between(2, 9));
            value = a * b;
            question = $"{N(a)}*{N(b)}";
            steps.Add(Op(a, '*', b, value));
            remaining--;
        }
        else
        {
            value = rng.Between(2, 20);
            question = N(value);
        }
        for (var i = 0; i < remaining; i++)
        {
            var (op, b) = SmallStep(rng, value);
            var next = Apply(value, op, b);
            question += op + N(b);
            steps.Add(Op(value, op, b, next));
            value = next;
        }
        return (question, string.Join(", ", steps), value);
    }
}
