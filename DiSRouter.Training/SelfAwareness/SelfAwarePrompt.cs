using DiSRouter.Core.Scenarios;

namespace DiSRouter.Training.SelfAwareness;

/// <summary>
/// The system message of a self-aware agent: the scenario instruction, then the task's own instruction if it has
/// one, joined exactly as the serving agent joins them, so that training sees the prompts serving will send.
/// </summary>
internal static class SelfAwarePrompt
{
    /// <summary>The nano world's checkpoints are trained with the compact instruction (see <see cref="ScenarioPrompt.Compact"/>).</summary>
    public const ScenarioPromptStyle Style = ScenarioPromptStyle.Compact;

    public static string System(Scenario scenario, string? taskSystem) =>
        string.IsNullOrWhiteSpace(taskSystem) ? ScenarioPrompt.For(scenario, Style) : ScenarioPrompt.For(scenario, Style) + "\n\n" + taskSystem;
}
