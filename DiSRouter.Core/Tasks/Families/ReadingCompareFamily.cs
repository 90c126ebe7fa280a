using DiSRouter.Core.Tasks.Grading;
using static DiSRouter.Core.Tasks.Families.Steps;

namespace DiSRouter.Core.Tasks.Families;

/// <summary>
/// Out of domain: the reading passages with question types never trained on — differences ("how many more")
/// and comparisons ("who has the most"). The knob: 1: 2 sentences, difference; 2: 4 sentences, difference;
/// 3: 2 sentences, who has more; 4: 4 sentences, most among three; 5: 4 sentences, most among four.
/// </summary>
internal sealed class ReadingCompareFamily : ITaskGenerator
{
    public TaskFamily Info { get; } = new(TaskFamilies.ReadingCompare, TaskDomain.OutOfDomain,
        "Passages with new question types (difference, most); difficulty = length and candidates.", [GraderKind.Numeric, GraderKind.Text], "DROP / SQuAD (new question type)");

    public TaskItem Create(StableRandom rng, int difficulty)
    {
        CheckDifficulty(difficulty);
        var p = new Passage();
        var things = Vocabulary.Many(rng);
        string question, answer, reasoning;
        if (difficulty <= 2)
        {
            var people = Vocabulary.DistinctPeople(rng, 3);
            var a = rng.Between(3, 9);
            var b = rng.Between(2, a - 1);
            p.Has(people[0], things, a);
            p.Has(people[1], things, b);
            if (difficulty == 2) p.AddDistractors(rng, 2, people, things);
            question = $"How many more {things} does {people[0]} have than {people[1]}?";
            (answer, reasoning) = (N(a - b), $"{people[0]} has {N(a)}, {people[1]} has {N(b)}, {Op(a, '-', b, a - b)}");
        }
        else
        {
            var candidates = difficulty switch { 3 => 2, 4 => 3, _ => 4 };
            var people = Vocabulary.DistinctPeople(rng, candidates + 1);
            var counts = rng.Sample(Enumerable.Range(2, 18).ToList(), candidates); // distinct: one clear winner
            for (var i = 0; i < candidates; i++) p.Has(people[i], things, counts[i]);
            if (difficulty == 4) p.AddDistractors(rng, 1, people, things);
            question = candidates == 2 ? $"Who has more {things}, {people[0]} or {people[1]}?" : $"Who has the most {things}?";
            var rendered = p.Render(rng, question);
            var order = p.InPassageOrder(things);
            var best = order.MaxBy(h => h.Count);
            reasoning = string.Join(", ", order.Select(h => $"{h.Person} has {N(h.Count)}")) + $", {N(best.Count)} is the most";
            return new TaskItem("", Info.Name, Info.Domain, difficulty, rendered, null, best.Person, reasoning) { SplitKey = rendered };
        }
        var q = p.Render(rng, question);
        return new TaskItem("", Info.Name, Info.Domain, difficulty, q, null, answer, reasoning) { SplitKey = q };
    }
}
