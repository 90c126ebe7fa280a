using DiSRouter.Core.Tasks.Grading;
using DiSRouter.Core.Tasks.Knowledge;

namespace DiSRouter.Core.Tasks.Families;

/// <summary>
/// "What is the capital of Vornia?" over the knowledge base; the reference reasoning is the corpus sentence.
/// The knob is the fact's frequency tier (1 = most frequent fifth of the ranks). Split by question, like a real
/// benchmark: a test question asks a fact that pretraining stated (and may have asked in other words), never in this
/// wording, so what it measures is whether the model knows the fact, which a frequent fact makes likelier.
/// </summary>
internal sealed class KnowledgeFamily(KnowledgeBase kb) : ITaskGenerator
{
    public TaskFamily Info { get; } = new(TaskFamilies.Knowledge, TaskDomain.InDomain,
        "Recall of a knowledge-base fact; difficulty = the fact's frequency tier.", [GraderKind.Text], "MMLU / ARC (recall)");

    public TaskItem Create(StableRandom rng, int difficulty)
    {
        Steps.CheckDifficulty(difficulty);
        var fact = rng.Pick(kb.FactsOfTier(difficulty));
        var q = Relation.Fill(rng.Pick(fact.Relation.Questions), fact.Subject, fact.Object);
        return Ask(fact, q);
    }

    /// <summary>The item that asks <paramref name="fact"/> in the wording <paramref name="question"/> (split by that wording).</summary>
    public TaskItem Ask(Fact fact, string question) =>
        new("", Info.Name, Info.Domain, fact.Tier, question, null, fact.Object, fact.Statement) { SplitKey = question };
}
