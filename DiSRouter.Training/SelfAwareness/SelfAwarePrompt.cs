using DiSRouter.Core.Scenarios;

namespace DiSRouter.Training.SelfAwareness;

/// <summary>
/// The system message of a self-aware agent: the scenario instruction, then the task's own instruction if it has
/// one, joined exactly as the serving agent joins them, so that training sees the prompts serving will send.
/// </summary>
internal static class SelfAwarePrompt
{
    public static string System(Scenario scenario, string? taskSystem) =>
        string.IsNullOrWhiteSpace(taskSystem) ? ScenarioPrompt.For(scenario) : ScenarioPrompt.For(scenario) + "\n\n" + taskSystem;
}
