using DiSRouter.Core.Scenarios;

namespace DiSRouter.Training.SelfAwareness;

/// <summary>
/// The system message of a self-aware agent: the scenario instruction in the checkpoint's own style, then the task's own
/// instruction if it has one, joined exactly as the serving agent joins them, so that training sees the prompts serving will send.
/// </summary>
internal static class SelfAwarePrompt
{
    /// <summary>
    /// The style of a checkpoint that records none: the nano world's checkpoints are trained with the compact
    /// instruction (see <see cref="ScenarioPrompt.Compact"/>); the paper's full texts are chosen at sft (--prompt-style full)
    /// and recorded beside the weights (<see cref="ScenarioPromptFile"/>).
    /// </summary>
    public const ScenarioPromptStyle Style = ScenarioPromptFile.Default;

    public static string System(Scenario scenario, string? taskSystem, ScenarioPromptStyle style)
    {
        var instruction = ScenarioPrompt.For(scenario, style);
        return string.IsNullOrWhiteSpace(taskSystem) ? instruction : instruction + "\n\n" + taskSystem;
    }
}
