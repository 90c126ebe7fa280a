using static DiSRouter.Core.Tasks.Families.Steps;

namespace DiSRouter.Core.Tasks.Families;

/// <summary>
/// A short passage of "X has k things." and "X lives in Town." sentences, shared by the reading families.
/// Counts are 2–9: every sum is a one-digit step and every noun is plural.
/// </summary>
internal sealed class Passage
{
    public readonly List<string> Sentences = [];
    public readonly List<(string Person, string Things, int Count)> Holdings = [];
    public readonly List<(string Person, string Town)> Homes = [];

    public void Has(string person, string things, int count)
    {
        Holdings.Add((person, things, count));
        Sentences.Add($"{person} has {N(count)} {things}.");
    }

    public void LivesIn(string person, string town)
    {
        Homes.Add((person, town));
        Sentences.Add($"{person} lives in {town}.");
    }

    /// <summary>Distractors: sentences about other things or homes, so that finding the right lines is the skill.</summary>
    public void AddDistractors(StableRandom rng, int count, IReadOnlyList<string> people, string avoidThings)
    {
        for (var i = 0; i < count; i++)
        {
            var person = rng.Pick(people);
            if (rng.Chance(0.5) && Homes.All(h => h.Person != person))
            {
                LivesIn(person, rng.Pick(Vocabulary.Towns));
                continue;
            }
            string other;
            do other = Vocabulary.Many(rng); while (other == avoidThings || Holdings.Any(h => h.Person == person && h.Things == other));
            Has(person, other, rng.Between(2, 9));
        }
    }

    /// <summary>Shuffles the sentences and appends the question on its own line.</summary>
    public string Render(StableRandom rng, string question)
    {
        rng.Shuffle(Sentences);
        return string.Join(" ", Sentences) + "\n" + question;
    }

    /// <summary>Who has <paramref name="things"/>, in the order the rendered passage mentions them (reasoning reads top-down).</summary>
    public List<(string Person, int Count)> InPassageOrder(string things) =>
        Holdings.Where(h => h.Things == things)
            .OrderBy(h => Sentences.IndexOf($"{h.Person} has {N(h.Count)} {h.Things}."))
            .Select(h => (h.Person, h.Count)).ToList();
}
