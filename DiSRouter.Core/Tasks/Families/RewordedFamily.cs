namespace DiSRouter.Core.Tasks.Families;

/// <summary>
/// Out of domain, near: an in-domain family's items asked in wordings no training item uses ("Compute 14+7-5." for
/// "What is 14+7-5?", "Sam drops 3." for "Sam loses 3."). The chain, the answer and the split key stay the in-domain
/// item's, so a validation or test item never rewords a question that training asked. This is what the paper's
/// out-of-domain sets are to its pool: skills it was trained on, in formats it was not (SQuAD beside RACE, HeadQA
/// beside MMLU). Families of new operations or relations (comparisons, inverse questions, price problems) were tried
/// first and no member of the nano pool answered them (0–3 %, docs/pool.md), which leaves nothing to route on.
/// </summary>
internal sealed class RewordedFamily(ITaskGenerator source, TaskFamily info, Rewording rewording) : ITaskGenerator
{
    public TaskFamily Info { get; } = info;

    public TaskItem Create(StableRandom rng, int difficulty) => Reword(source.Create(rng, difficulty), rng);

    /// <summary><paramref name="item"/> of the source family, asked in new words.</summary>
    public TaskItem Reword(TaskItem item, StableRandom rng) =>
        item with { Family = Info.Name, Domain = Info.Domain, Question = rewording.Apply(item.Question, rng) };
}
