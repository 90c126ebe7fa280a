using DiSRouter.Core.Tasks;

namespace DiSRouter.Training.NetworkBench;

/// <summary>The questions the bench asks: the nano world's test split, so that prompt lengths are those of real use.</summary>
internal static class BenchQueries
{
    /// <summary>
    /// <paramref name="count"/> prompts interleaved over the in-domain families (as DiSRouter.Training's TaskQueries.Draw
    /// does), from the world the nano pool was trained in: seed 0 and the default knowledge base (NanoPool.Corpus).
    /// </summary>
    public static IReadOnlyList<string> Draw(int count, int drawSeed = 0)
    {
        var suite = new TaskSuite(seed: 0);
        var families = suite.InDomainFamilies.Select(f => f.Name).ToList();
        var perFamily = (count + families.Count - 1) / families.Count;
        var lists = families.Select(f => suite.Generate(f, TaskSplit.Test, perFamily, drawSeed)).ToList();
        var prompts = new List<string>(count);
        for (var i = 0; i < perFamily && prompts.Count < count; i++)
            foreach (var list in lists)
                if (i < list.Count && prompts.Count < count) prompts.Add(list[i].Prompt);
        return prompts;
    }
}
