using DiSRouter.Core.Tasks.Grading;
using static DiSRouter.Core.Tasks.Families.Steps;

namespace DiSRouter.Core.Tasks.Families;

/// <summary>
/// A passage in the prompt, then a question about it. The knob turns length and operation (reasoning lists what it reads in passage order):
/// 1: 2 sentences, find a fact; 2: 4 sentences, find a fact; 3: 3 sentences, add two counts;
/// 4: 4 sentences, add two of three counts; 5: 4 sentences, total one thing over everyone who has it (three people).
/// </summary>
internal sealed class ReadingFamily : ITaskGenerator
{
    public TaskFamily Info { get; } = new(TaskFamilies.Reading, TaskDomain.InDomain,
        "Reading comprehension over a short passage: find a fact, or add counts; difficulty = length and operation.",
        [GraderKind.Numeric, GraderKind.Text], "RACE / DROP");

    public TaskItem Create(StableRandom rng, int difficulty)
    {
        CheckDifficulty(difficulty);
        var p = new Passage();
        var things = Vocabulary.Many(rng);
        string question, answer, reasoning;
        switch (difficulty)
        {
            case 1 or 2:
            {
                var people = Vocabulary.DistinctPeople(rng, 3);
                var who = people[0];
                if (rng.Chance(0.5))
                {
                    var count = rng.Between(2, 9);
                    p.Has(who, things, count);
                    p.Has(people[1], things, rng.Between(2, 9));
                    question = $"How many {things} does {who} have?";
                    (answer, reasoning) = (N(count), $"{who} has {N(count)} {things}");
                }
                else
                {
                    var towns = rng.Sample(Vocabulary.Towns, 2);
                    p.LivesIn(who, towns[0]);
                    p.LivesIn(people[1], towns[1]);
                    question = $"Where does {who} live?";
                    (answer, reasoning) = (towns[0], $"{who} lives in {towns[0]}");
                }
                if (difficulty == 2) p.AddDistractors(rng, 2, people, things);
                break;
            }
            case 3 or 4:
            {
                var people = Vocabulary.DistinctPeople(rng, 3);
                var (a, b) = (rng.Between(2, 9), rng.Between(2, 9));
                p.Has(people[0], things, a);
                p.Has(people[1], things, b);
                if (difficulty == 4) p.Has(people[2], things, rng.Between(2, 9));
                p.AddDistractors(rng, 1, people, things);
                question = $"How many {things} do {people[0]} and {people[1]} have in all?";
                (answer, reasoning) = (N(a + b), $"{people[0]} has {N(a)}, {people[1]} has {N(b)}, {Op(a, '+', b, a + b)}");
                break;
            }
            default:
            {
                var people = Vocabulary.DistinctPeople(rng, 4);
                for (var i = 0; i < 3; i++) p.Has(people[i], things, rng.Between(2, 9));
                p.AddDistractors(rng, 1, people, things);
                question = $"How many {things} in all?";
                var q5 = p.Render(rng, question);
                var order = p.InPassageOrder(things);
                var s1 = order[0].Count + order[1].Count;
                var total = s1 + order[2].Count;
                reasoning = $"{string.Join(", ", order.Select(h => $"{h.Person} has {N(h.Count)}"))}, " +
                            $"{Op(order[0].Count, '+', order[1].Count, s1)}, {Op(s1, '+', order[2].Count, total)}";
                return new TaskItem("", Info.Name, Info.Domain, difficulty, q5, null, N(total), reasoning) { SplitKey = q5 };
            }
        }
        var q = p.Render(rng, question);
        return new TaskItem("", Info.Name, Info.Domain, difficulty, q, null, answer, reasoning) { SplitKey = q };
    }
}
