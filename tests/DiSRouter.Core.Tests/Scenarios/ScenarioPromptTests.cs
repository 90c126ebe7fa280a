using System.Globalization;
using DiSRouter.Core.Scenarios;

namespace DiSRouter.Core.Tests.Scenarios;

public sealed class ScenarioPromptTests
{
    [Fact]
    public void CustomPromptAtTheDefaultGammaIsWordForWordThePromptBeforeGammaWasAParameter()
    {
        Assert.Equal("Scenario: Custom, cost weight 0.35. Answer when your chance of being correct is above 0.81; otherwise, choose not to answer.",
            ScenarioPrompt.For(Scenario.FromAlpha(0.35)));
        // Every α of a 0.01 grid: the stated threshold is the square root the prompt was written with.
        for (int i = 0; i <= 100; i++)
        {
            var scenario = Scenario.FromAlpha(i / 100.0);
            if (scenario == Scenario.PerformanceFirst || scenario == Scenario.Balance || scenario == Scenario.CostFirst) continue;
            var before = $"Scenario: Custom, cost weight {scenario.Alpha.ToString("0.00", CultureInfo.InvariantCulture)}. Answer when your chance of being correct is above " +
                $"{Math.Sqrt(1 - scenario.Alpha).ToString("0.00", CultureInfo.InvariantCulture)}; otherwise, choose not to answer.";
            Assert.Equal(before, ScenarioPrompt.For(scenario, ScenarioPromptStyle.Full));
        }
    }

    [Fact]
    public void ProtocolSpellsTheAnswerTemplateWordForWord()
    {
        Assert.Equal("If you answer, reply in the form \"Let's think step by step: <steps>. The final answer is: <answer>.\" " +
            "If you choose not to answer, reply with exactly \"I don't know!\" and nothing else.", ScenarioPrompt.ProtocolText);
    }

    [Fact]
    public void GammaSetsTheThresholdACustomPromptStates()
    {
        Assert.Contains("above 0.65;", ScenarioPrompt.For(Scenario.FromAlpha(0.35), gamma: 1));
        Assert.Contains("above 0.95;", ScenarioPrompt.For(Scenario.FromAlpha(0.35), gamma: 0.125));
    }

    [Fact]
    public void NamedScenariosAndTheCompactPromptDoNotDependOnGamma()
    {
        Assert.Equal(ScenarioPrompt.BalanceText, ScenarioPrompt.For(Scenario.Balance, gamma: 1));
        Assert.Equal(ScenarioPrompt.Compact(Scenario.FromAlpha(0.35)), ScenarioPrompt.For(Scenario.FromAlpha(0.35), ScenarioPromptStyle.Compact, gamma: 1));
    }

    [Fact]
    public void GammaOutsideZeroToOneIsRefusedWithItsReason()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ScenarioPrompt.For(Scenario.FromAlpha(0.35), gamma: 1.5));
        Assert.Contains("γ must lie in [0, 1]", e.Message);
    }
}
