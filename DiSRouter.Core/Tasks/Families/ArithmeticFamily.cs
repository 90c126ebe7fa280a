using DiSRouter.Core.Tasks.Grading;
using static DiSRouter.Core.Tasks.Families.Steps;

namespace DiSRouter.Core.Tasks.Families;

/// <summary>
/// "What is 47+385-19?" evaluated left to right, never negative. The knob turns digits and steps:
/// 1: 2-digit ± 1-digit; 2: 2-digit ± 2-digit; 3: three 2-digit terms; 4: three 3-digit terms;
/// 5: 2-digit × 1-digit then two 3-digit terms (three steps).
/// </summary>
internal sealed class ArithmeticFamily : ITaskGenerator
{
    public TaskFamily Info { get; } = new(TaskFamilies.Arithmetic, TaskDomain.InDomain,
        "Multi-digit arithmetic with steps; difficulty = digits and number of operations.", [GraderKind.Numeric], "GSM8K");

    public TaskItem Create(StableRandom rng, int difficulty)
    {
        CheckDifficulty(difficulty);
        var (first, terms) = difficulty switch
        {
            1 => (Digits(rng, 2), new[] { Digits(rng, 1) }),
            2 => (Digits(rng, 2), new[] { Digits(rng, 2) }),
            3 => (Digits(rng, 2), new[] { Digits(rng, 2), Digits(rng, 2) }),
            4 => (Digits(rng, 3), new[] { Digits(rng, 3), Digits(rng, 3) }),
            _ => (Digits(rng, 2), new[] { rng.Between(2, 9), Digits(rng, 3), Digits(rng, 3) }),
        };

        var question = N(first);
        var steps = new List<string>();
        long value = first;
        for (var i = 0; i < terms.Length; i++)
        {
            var op = difficulty == 5 && i == 0 ? '*'
                : rng.Chance(0.5) && terms[i] <= value ? '-' : '+';
            var next = Apply(value, op, terms[i]);
            question += op + N(terms[i]);
            steps.Add(Op(value, op, terms[i], next));
            value = next;
        }
        var q = $"What is {question}?";
        return new TaskItem("", Info.Name, Info.Domain, difficulty, q, null, N(value), string.Join(", ", steps)) { SplitKey = q };
    }
}
