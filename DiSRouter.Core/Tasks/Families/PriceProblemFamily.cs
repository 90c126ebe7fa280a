using DiSRouter.Core.Tasks.Grading;
using static DiSRouter.Core.Tasks.Families.Steps;

namespace DiSRouter.Core.Tasks.Families;

/// <summary>
/// Out of domain: a word-problem template never trained on (prices and change). The knob:
/// 1: n × 1-digit price; 2: n × 2-digit price; 3: then change from a note; 4: two goods, total;
/// 5: two goods, change.
/// </summary>
internal sealed class PriceProblemFamily : ITaskGenerator
{
    public TaskFamily Info { get; } = new(TaskFamilies.PriceProblem, TaskDomain.OutOfDomain,
        "Word problems of a new template (prices, totals, change); difficulty = numbers and operations.", [GraderKind.Numeric], "GSM8K-like (new template)");

    public TaskItem Create(StableRandom rng, int difficulty)
    {
        CheckDifficulty(difficulty);
        var name = rng.Pick(Vocabulary.People);
        var goods = rng.Sample(Vocabulary.Things, 2);
        var steps = new List<string>();
        string q;
        long answer;
        if (difficulty <= 3)
        {
            var (one, many) = goods[0];
            var n = rng.Between(2, 9);
            var price = difficulty == 2 ? rng.Between(10, 30) : rng.Between(2, 9);
            var cost = n * price;
            steps.Add(Op(n, '*', price, cost));
            if (difficulty < 3)
            {
                q = $"A {one} costs {price} coins. {name} buys {n} {many}. How many coins does {name} pay?";
                answer = cost;
            }
            else
            {
                var paid = (cost / 10 + 1 + rng.Next(5)) * 10;
                steps.Add(Op(paid, '-', cost, paid - cost));
                q = $"A {one} costs {price} coins. {name} buys {n} {many} and pays {paid} coins. How much change does {name} get?";
                answer = paid - cost;
            }
        }
        else
        {
            var (p1, p2) = (rng.Between(2, 9), rng.Between(2, 9));
            var (n1, n2) = (rng.Between(2, 6), rng.Between(2, 6));
            var (c1, c2) = (n1 * p1, n2 * p2);
            steps.Add(Op(n1, '*', p1, c1));
            steps.Add(Op(n2, '*', p2, c2));
            steps.Add(Op(c1, '+', c2, c1 + c2));
            var head = $"A {goods[0].One} costs {p1} and a {goods[1].One} costs {p2}. {name} buys {n1} {goods[0].Many} and {n2} {goods[1].Many}";
            if (difficulty == 4)
            {
                q = head + $". How much does {name} pay?";
                answer = c1 + c2;
            }
            else
            {
                var paid = ((c1 + c2) / 10 + 1 + rng.Next(5)) * 10;
                steps.Add(Op(paid, '-', c1 + c2, paid - c1 - c2));
                q = head + $" and pays {paid}. What is the change?";
                answer = paid - c1 - c2;
            }
        }
        return new TaskItem("", Info.Name, Info.Domain, difficulty, q, null, N(answer), string.Join(", ", steps)) { SplitKey = q };
    }
}
