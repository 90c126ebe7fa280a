using DiSRouter.Core.Tasks.Grading;
using static DiSRouter.Core.Tasks.Families.Steps;

namespace DiSRouter.Core.Tasks.Families;

/// <summary>
/// "a=3, b=a+4, c=b*2. What is c?" The knob is the number of derived variables (1–5); from 3 on a step may
/// combine two variables, from 4 on it may refer back past its predecessor. Values stay in [0, 99], so every step is a small primitive.
/// </summary>
internal sealed class VariableChainFamily : ITaskGenerator
{
    private const string Letters = "abcdefghjkmnpqrstuvwxyz";

    public TaskFamily Info { get; } = new(TaskFamilies.VariableChain, TaskDomain.InDomain,
        "Multi-step variable chains; difficulty = number of steps.", [GraderKind.Numeric], "GSM8K (multi-step)");

    public TaskItem Create(StableRandom rng, int difficulty)
    {
        CheckDifficulty(difficulty);
        var names = rng.Sample(Letters.Select(c => c.ToString()).ToList(), difficulty + 1);
        var values = new List<long> { difficulty <= 2 ? rng.Between(1, 9) : rng.Between(2, 20) };
        var definitions = new List<string> { $"{names[0]}={N(values[0])}" };
        var steps = new List<string>();

        for (var k = 1; k <= difficulty; k++)
        {
            var src = difficulty >= 4 && k >= 2 && rng.Chance(0.4) ? rng.Next(k - 1) : k - 1;
            var a = values[src];
            string rhs;
            long result;
            if (difficulty >= 3 && k >= 2 && rng.Chance(0.35))
            {
                // Two variables: the other operand is another earlier variable.
                var other = rng.Next(k);
                if (other == src) other = (other + 1) % k;
                var b = values[other];
                var op = (b <= a && rng.Chance(0.5)) || a + b > 99 ? '-' : '+';
                if (op == '-' && b > a)
                {
                    (src, other) = (other, src);
                    (a, b) = (b, a);
                }
                result = Apply(a, op, b);
                rhs = $"{names[src]}{op}{names[other]}";
                steps.Add($"{names[k]}={Op(a, op, b, result)}");
            }
            else
            {
                char op;
                long c;
                var roll = rng.Next(3);
                if (roll == 0 && a <= 24) { op = '*'; c = rng.Between(2, 4); }
                else if (roll == 1 && a >= 2) { op = '-'; c = rng.Between(1, (int)Math.Min(a, 9)); }
                else if (a <= 90) { op = '+'; c = rng.Between(1, 9); }
                else { op = '-'; c = rng.Between(1, 9); }
                result = Apply(a, op, c);
                rhs = $"{names[src]}{op}{N(c)}";
                steps.Add($"{names[k]}={Op(a, op, c, result)}");
            }
            values.Add(result);
            definitions.Add($"{names[k]}={rhs}");
        }
        var q = string.Join(", ", definitions) + $". What is {names[difficulty]}?";
        return new TaskItem("", Info.Name, Info.Domain, difficulty, q, null, N(values[^1]), string.Join(", ", steps)) { SplitKey = q };
    }
}
