using DiSRouter.Core.Scenarios;
using DiSRouter.Core.Tasks;
using DiSRouter.Core.Tasks.Grading;

namespace DiSRouter.Core.Tests.Tasks.Grading;

public sealed class GraderTests
{
    private static TaskItem Item(string answer, IReadOnlyList<string>? choices = null) =>
        new("x-1", "test", TaskDomain.InDomain, 1, "Q?", choices, answer, "");

    [Theory]
    [InlineData("I don't know!")]
    [InlineData("  i don't know")]
    [InlineData("I don’t know!")]
    [InlineData("I dont know.")]
    [InlineData("I do not know.")]
    [InlineData("\"I don't know!\"")]
    [InlineData("I DON'T KNOW!")]
    public void RecognisesRejections(string reply)
    {
        Assert.True(Grader.IsRejection(reply));
    }

    [Fact]
    public void TheProtocolsRejectTextIsARejection()
    {
        Assert.True(Grader.IsRejection(ScenarioPrompt.RejectText));
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("The final answer is: 7.")]
    [InlineData("I know: the final answer is 7.")]
    [InlineData("Let's think step by step: I don't know the rule. The final answer is: 7.")]
    public void AnswersAreNotRejections(string? reply)
    {
        Assert.False(Grader.IsRejection(reply));
    }

    [Fact]
    public void GraderKindFollowsTheItem()
    {
        Assert.Equal(GraderKind.Choice, Grader.KindFor(Item("B", ["x", "y"])));
        Assert.Equal(GraderKind.Numeric, Grader.KindFor(Item("1,234")));
        Assert.Equal(GraderKind.Text, Grader.KindFor(Item("Telsk")));
    }

    [Fact]
    public void RejectionIsNeitherCorrectNorAnAnswer()
    {
        var sut = Grader.Grade(Item("7"), "I don't know!");
        Assert.True(sut.Rejected);
        Assert.False(sut.Correct);
        Assert.Null(sut.Extracted);
    }

    [Fact]
    public void GradeReportsWhatItRead()
    {
        var numeric = Grader.Grade(Item("1234"), "The final answer is: 1,234.");
        Assert.True(numeric.Correct);
        Assert.Equal("1234", numeric.Extracted);
        var choice = Grader.Grade(Item("A", ["Telsk", "Morvo"]), "The final answer is: Morvo.");
        Assert.False(choice.Correct);
        Assert.Equal("B", choice.Extracted);
        var text = Grader.Grade(Item("Telsk"), "The final answer is: Telsk.");
        Assert.True(text.Correct);
        Assert.Equal("Telsk", text.Extracted);
        Assert.False(Grader.Grade(Item("7"), "").Correct);
    }
}
