using DiSRouter.Core.Tasks.Grading;
using static DiSRouter.Core.Tasks.Families.Steps;

namespace DiSRouter.Core.Tasks.Families;

/// <summary>
/// Out of domain: comparing and ordering numbers, an operation never trained on. The knob:
/// 1: two 1-digit numbers; 2: two 2-digit; 3: two 3-digit sharing a leading digit; 4: three 2-digit;
/// 5: four 3-digit numbers made of the same digits.
/// </summary>
internal sealed class ComparisonFamily : ITaskGenerator
{
    public TaskFamily Info { get; } = new(TaskFamilies.Comparison, TaskDomain.OutOfDomain,
        "Comparison and ordering of numbers; difficulty = digits and how many numbers.", [GraderKind.Numeric], "HellaSwag-like (new operation)");

    public TaskItem Create(StableRandom rng, int difficulty)
    {
        CheckDifficulty(difficulty);
        var numbers = difficulty switch
        {
            1 => Distinct(rng, 2, () => Digits(rng, 1)),
            2 => Distinct(rng, 2, () => Digits(rng, 2)),
            3 => Close(rng),
            4 => Distinct(rng, 3, () => Digits(rng, 2)),
            _ => SameDigits(rng),
        };
        var largest = rng.Chance(0.5);
        var answer = largest ? numbers.Max() : numbers.Min();
        var list = string.Join(", ", numbers.Select(v => N(v)));
        string q, reasoning;
        if (numbers.Count == 2)
        {
            var word = rng.Pick(largest ? new[] { "larger", "bigger", "greater" } : new[] { "smaller", "less" });
            q = rng.Chance(0.5) ? $"Which is {word}, {N(numbers[0])} or {N(numbers[1])}?" : $"Which number is {word}: {N(numbers[0])} or {N(numbers[1])}?";
            reasoning = largest ? $"{N(numbers.Max())}>{N(numbers.Min())}" : $"{N(numbers.Min())}<{N(numbers.Max())}";
        }
        else
        {
            q = $"Which is the {(largest ? "largest" : "smallest")}: {list}?";
            reasoning = string.Join("<", numbers.Order().Select(v => N(v)));
        }
        return new TaskItem("", Info.Name, Info.Domain, difficulty, q, null, N(answer), reasoning) { SplitKey = q };
    }

    private static List<int> Distinct(StableRandom rng, int k, Func<int> draw)
    {
        var set = new List<int>();
        while (set.Count < k)
        {
            var v = draw();
            if (!set.Contains(v)) set.Add(v);
        }
        return set;
    }

    private static List<int> Close(StableRandom rng)
    {
        var lead = rng.Between(1, 9) * 100;
        return Distinct(rng, 2, () => lead + rng.Between(0, 99));
    }

    // Permutations of three distinct digits: only place value tells them apart.
    private static List<int> SameDigits(StableRandom rng)
    {
        var digits = rng.Sample(Enumerable.Range(1, 9).ToList(), 3);
        var perms = new List<int>();
        foreach (var p in new[] { (0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0) })
            perms.Add(digits[p.Item1] * 100 + digits[p.Item2] * 10 + digits[p.Item3]);
        return rng.Sample(perms, 4);
    }
}
