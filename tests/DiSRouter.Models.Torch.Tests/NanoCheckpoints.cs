using DiSRouter.Core.Scenarios;
using DiSRouter.Core.Tasks;

namespace DiSRouter.Models.Torch.Tests;

/// <summary>The committed nano checkpoints and evaluation prompts (test split) the parity tests run on.</summary>
internal static class NanoCheckpoints
{
    public static string RepoRoot { get; } = FindRoot();

    public static string Pool(int member) => Path.Combine(RepoRoot, "models", "nano-pool", $"nano-{member}");
    public static string SelfAware(int member) => Path.Combine(RepoRoot, "models", "nano-selfaware", $"nano-{member}");

    /// <summary>Two test-split items of every in- and out-of-domain family: (system, question).</summary>
    public static IReadOnlyList<(string? System, string Question)> EvaluationPrompts(int perFamily = 2)
    {
        var suite = new TaskSuite(seed: 0);
        return suite.Families.SelectMany(f => suite.Generate(f.Name, TaskSplit.Test, perFamily, seed: 7))
            .Select(item => ((string?)null, item.Prompt)).ToList();
    }

    /// <summary>The same prompts under the Balance scenario's instruction, as a self-aware agent sees them.</summary>
    public static IReadOnlyList<(string? System, string Question)> SelfAwarePrompts(int perFamily = 2) =>
        EvaluationPrompts(perFamily).Select(p => ((string?)ScenarioPrompt.For(Scenario.Balance, ScenarioPromptStyle.Compact), p.Question)).ToList();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DiSRouter.sln"))) return dir.FullName;
        throw new InvalidOperationException("The repository root (DiSRouter.sln) is not above the test binaries.");
    }
}
