using DiSRouter.Core.Tasks.Grading;
using DiSRouter.Core.Tasks.Knowledge;

namespace DiSRouter.Core.Tasks.Families;

/// <summary>
/// Out of domain: the inverse relation, "Which land has the capital Telsk?", for relations whose objects are
/// unique. The knob is the fact's frequency tier. Never trained on.
/// </summary>
internal sealed class KnowledgeInverseFamily(KnowledgeBase kb) : ITaskGenerator
{
    private readonly IReadOnlyList<Fact>[] _tiers = Enumerable.Range(1, 5)
        .Select(t => (IReadOnlyList<Fact>)kb.FactsOfTier(t).Where(f => f.Relation.IsInvertible).ToList()).ToArray();

    public TaskFamily Info { get; } = new(TaskFamilies.KnowledgeInverse, TaskDomain.OutOfDomain,
        "Inverse questions over the knowledge base (object → subject); difficulty = frequency tier.", [GraderKind.Text], "SQuAD / HeadQA (new relation)");

    public TaskItem Create(StableRandom rng, int difficulty)
    {
        Steps.CheckDifficulty(difficulty);
        var fact = rng.Pick(_tiers[difficulty - 1]);
        var q = Relation.Fill(rng.Pick(fact.Relation.InverseQuestions), fact.Subject, fact.Object);
        return new TaskItem("", Info.Name, Info.Domain, difficulty, q, null, fact.Subject, fact.InverseStatement!) { SplitKey = fact.Key };
    }
}
