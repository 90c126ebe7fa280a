using DiSRouter.Core.Tasks.Grading;
using static DiSRouter.Core.Tasks.Families.Steps;

namespace DiSRouter.Core.Tasks.Families;

/// <summary>
/// Templated story problems about one person's things. Difficulty is the number of steps (1–5): the story may open
/// with packs ("Sam has 3 packs of 4 cards.", a one-digit product, one step; always from difficulty 4 on), then every gain or loss is one digit
/// added or taken away, the count staying in [0, 99].
/// </summary>
internal sealed class WordProblemFamily : ITaskGenerator
{
    private static readonly string[] Gains = ["{n} buys {b} more.", "{n} finds {b} more.", "{n} gets {b} more."];
    private static readonly string[] Losses = ["{n} loses {b}.", "{n} sells {b}.", "{n} uses {b}."];

    public TaskFamily Info { get; } = new(TaskFamilies.WordProblem, TaskDomain.InDomain,
        "Math word problems with 1–5 steps; difficulty = number of steps.", [GraderKind.Numeric], "GSM8K");

    public TaskItem Create(StableRandom rng, int difficulty)
    {
        CheckDifficulty(difficulty);
        var name = rng.Pick(Vocabulary.People);
        var things = Vocabulary.Many(rng);
        var sentences = new List<string>();
        var steps = new List<string>();
        long value;
        var changes = difficulty;

        if (difficulty >= 4 || rng.Chance(0.4)) // four or five changes would not fit the byte budget: long stories open with packs
        {
            var (k, m) = (rng.Between(2, 9), rng.Between(2, 9));
            value = k * m;
            sentences.Add($"{name} has {k} packs of {m} {things}.");
            steps.Add(Op(k, '*', m, value));
            changes--;
        }
        else
        {
            value = rng.Between(2, 20);
            sentences.Add($"{name} has {value} {things}.");
        }
        for (var i = 0; i < changes; i++)
        {
            var (op, b) = SmallStep(rng, value);
            var template = rng.Pick(op == '-' ? Losses : Gains);
            sentences.Add(template.Replace("{n}", name).Replace("{b}", N(b)));
            var next = Apply(value, op, b);
            steps.Add(Op(value, op, b, next));
            value = next;
        }
        var q = string.Join(" ", sentences) + $" How many {things} does {name} have?";
        return new TaskItem("", Info.Name, Info.Domain, difficulty, q, null, N(value), string.Join(", ", steps)) { SplitKey = q };
    }
}
