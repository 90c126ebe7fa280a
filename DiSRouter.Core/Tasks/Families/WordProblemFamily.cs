using DiSRouter.Core.Tasks.Grading;
using static DiSRouter.Core.Tasks.Families.Steps;

namespace DiSRouter.Core.Tasks.Families;

/// <summary>
/// Templated story problems about one person's things. The knob turns numbers and operations:
/// 1: one ± with small numbers; 2: one ± with 2-digit numbers or packs (one ×); 3: two ±;
/// 4: packs then one ± (three steps); 5: packs then two ± (four steps).
/// </summary>
internal sealed class WordProblemFamily : ITaskGenerator
{
    private static readonly string[] Gains = ["{n} buys {b} more.", "{n} finds {b} more.", "{n} gets {b} more."];
    private static readonly string[] Losses = ["{n} gives away {b}.", "{n} loses {b}.", "{n} sells {b}."];

    public TaskFamily Info { get; } = new(TaskFamilies.WordProblem, TaskDomain.InDomain,
        "Math word problems with 1–4 operations; difficulty = number size and operations.", [GraderKind.Numeric], "GSM8K");

    public TaskItem Create(StableRandom rng, int difficulty)
    {
        CheckDifficulty(difficulty);
        var name = rng.Pick(Vocabulary.People);
        var things = Vocabulary.Many(rng);
        var sentences = new List<string>();
        var steps = new List<string>();
        long value;

        if (difficulty == 2 && rng.Chance(0.5))
        {
            // Packs only: one multiplication.
            var k = rng.Between(2, 9);
            var m = rng.Between(2, 12);
            value = k * m;
            sentences.Add($"{name} has {k} packs of {m} {things}.");
            steps.Add(Op(k, '*', m, value));
        }
        else
        {
            value = difficulty == 1 ? rng.Between(2, 20) : rng.Between(10, 99);
            sentences.Add($"{name} has {value} {things}.");
            if (difficulty >= 4)
            {
                var k = rng.Between(2, 9);
                var m = rng.Between(2, 12);
                var pack = k * m;
                sentences.Add($"{name} buys {k} packs of {m}.");
                steps.Add(Op(k, '*', m, pack));
                steps.Add(Op(value, '+', pack, value + pack));
                value += pack;
            }
            var changes = difficulty switch { 1 or 2 or 4 => 1, _ => 2 };
            for (var i = 0; i < changes; i++)
            {
                var b = difficulty == 1 ? rng.Between(1, 9) : rng.Between(10, 99);
                var lose = rng.Chance(0.5) && b <= value;
                var template = rng.Pick(lose ? Losses : Gains);
                sentences.Add(template.Replace("{n}", name).Replace("{b}", N(b)));
                var next = Apply(value, lose ? '-' : '+', b);
                steps.Add(Op(value, lose ? '-' : '+', b, next));
                value = next;
            }
        }
        var q = string.Join(" ", sentences) + $" How many {things} does {name} have?";
        return new TaskItem("", Info.Name, Info.Domain, difficulty, q, null, N(value), string.Join(", ", steps)) { SplitKey = q };
    }
}
