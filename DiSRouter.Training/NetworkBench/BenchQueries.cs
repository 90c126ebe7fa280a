using DiSRouter.Core.Tasks;
using DiSRouter.Training.SelfAwareness;

namespace DiSRouter.Training.NetworkBench;

/// <summary>The questions the bench asks: the nano world's test split, so that prompt lengths are those of real use.</summary>
internal static class BenchQueries
{
    /// <summary>
    /// <paramref name="count"/> test questions interleaved over the in-domain families (as DiSRouter.Training's TaskQueries.Draw
    /// does), from the world the nano pool was trained in: its world seed and question options (NanoPool.Corpus, the same
    /// suite the evaluation report and calibration draw from; a default suite words multiple choice differently from the
    /// pool's training corpus and cost the agents accuracy they have). Items, not prompts: the comparison grades the
    /// answers with each item's own grader.
    /// </summary>
    public static IReadOnlyList<TaskItem> Draw(int count, int drawSeed = 0) =>
        TaskQueries.Draw(SelfAwareCli.NanoSuite(), TaskSplit.Test, count, drawSeed);
}
