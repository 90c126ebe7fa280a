using DiSRouter.Core.Tasks;
using DiSRouter.Training.SelfAwareness;

namespace DiSRouter.Training.NetworkBench;

/// <summary>The questions the bench asks: the nano world's test split, so that prompt lengths are those of real use.</summary>
internal static class BenchQueries
{
    /// <summary>
    /// <paramref name="count"/> test questions interleaved over the in-domain families (as DiSRouter.Training's TaskQueries.Draw
    /// does), from the world the nano pool was trained in: seed 0 and the default knowledge base (NanoPool.Corpus). Items,
    /// not prompts: the comparison grades the answers with each item's own grader.
    /// </summary>
    public static IReadOnlyList<TaskItem> Draw(int count, int drawSeed = 0) =>
        TaskQueries.Draw(new TaskSuite(seed: 0), TaskSplit.Test, count, drawSeed);
}
