using System.Globalization;
using DiSRouter.Core.Tasks;

namespace DiSRouter.Core.Scenarios;

/// <summary>
/// The instruction put before every query so that one agent adapts its answer/reject behaviour to the scenario.
/// The three named scenarios use the fixed prompts the agents were trained with; a custom α gets a prompt that
/// states the number, so a model trained over a grid of α can read it.
/// </summary>
public static class ScenarioPrompt
{
    /// <summary>The exact reply an agent gives when it declines a query.</summary>
    public const string RejectText = "I don't know!";

    public const string PerformanceFirstText =
        "Scenario: Performance First. You must ensure your answer is correct. Only choose to answer if you are " +
        "completely certain of your ability to answer the question; otherwise, choose not to answer.";

    public const string BalanceText =
        "Scenario: Balance. You need to strike a balance between answering and not answering. You can choose to " +
        "answer questions you are confident in and choose not to answer those you are uncertain about.";

    public const string CostFirstText =
        "Scenario: Cost First. You need to answer questions as much as possible. Choose to answer as long as you " +
        "believe you have the ability to answer correctly; only choose not to answer if you feel there is " +
        "absolutely no possibility of giving a correct answer.";

    /// <summary>The protocol a hosted model is told, so that it can reject with the exact reply we recognise.</summary>
    public const string ProtocolText =
        "If you answer, reply in the form \"" + AnswerTemplate.StepsPrefix + "<steps>. " + AnswerTemplate.FinalAnswerPrefix + "<answer>.\" " +
        "If you choose not to answer, reply with exactly \"" + RejectText + "\" and nothing else.";

    /// <summary>
    /// The reliability factor γ of the rejection reward (1 − α)^γ whose threshold a custom α's prompt states: 0.5, the
    /// method's value, which every prompt so far was written with.
    /// </summary>
    public const double DefaultGamma = 0.5;

    /// <summary>The instruction in the given style: the full text for general models, the compact one for small checkpoints.</summary>
    public static string For(Scenario scenario, ScenarioPromptStyle style, double gamma = DefaultGamma) =>
        style == ScenarioPromptStyle.Compact ? Compact(scenario) : For(scenario, gamma);

    /// <summary>
    /// The instruction the nano world's self-aware checkpoints are trained with: the cost weight as a number. A byte-level
    /// model with a few hundred positions of context cannot spend two hundred of them on the full instruction, and a number
    /// lets one model take any α, named or not.
    /// </summary>
    public static string Compact(Scenario scenario) =>
        "Cost weight " + scenario.Alpha.ToString("0.00", CultureInfo.InvariantCulture) + ".";

    /// <summary>
    /// The full instruction. A custom α states the capability above which answering beats rejecting in expectation,
    /// (1 − α)^<paramref name="gamma"/>; the named scenarios' fixed texts do not depend on γ.
    /// </summary>
    public static string For(Scenario scenario, double gamma = DefaultGamma)
    {
        if (gamma is < 0 or > 1 || double.IsNaN(gamma))
            throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "The reliability factor γ must lie in [0, 1].");
        if (scenario == Scenario.PerformanceFirst) return PerformanceFirstText;
        if (scenario == Scenario.Balance) return BalanceText;
        if (scenario == Scenario.CostFirst) return CostFirstText;
        var a = scenario.Alpha.ToString("0.00", CultureInfo.InvariantCulture);
        return $"Scenario: Custom, cost weight {a}. Answer when your chance of being correct is above " +
               $"{Math.Pow(1 - scenario.Alpha, gamma).ToString("0.00", CultureInfo.InvariantCulture)}; otherwise, choose not to answer.";
    }
}
