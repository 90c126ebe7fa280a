using DiSRouter.Agents.Cascade;

namespace DiSRouter.Agents.Tests.Cascade;

public sealed class AgentPromptsTests
{
    [Fact]
    public void AnswerOnlyProtocolAndAnswerPrefixSpellTheTemplateWordForWord()
    {
        Assert.Equal("You must answer this question; not answering is not an option. Reply in the form " +
            "\"Let's think step by step: <steps>. The final answer is: <answer>.\"", AgentPrompts.AnswerOnlyProtocolText);
        Assert.Equal("Let's think step by step:", AgentPrompts.AnswerPrefix);
    }
}
