namespace DiSRouter.Core.Tasks.Families;

/// <summary>
/// Makes one candidate item of a family at a difficulty (1–5). The suite assigns ids and keeps only candidates
/// whose split key falls in the requested split, so a generator knows nothing about splits.
/// </summary>
internal interface ITaskGenerator
{
    TaskFamily Info { get; }

    /// <summary>A candidate with an empty Id and its SplitKey set.</summary>
    TaskItem Create(StableRandom rng, int difficulty);
}
