using DiSRouter.Core.Tasks;
using DiSRouter.Core.Tasks.Families;
using DiSRouter.Core.Tasks.Knowledge;

namespace DiSRouter.Core.Tests.Tasks.Families;

public sealed partial class RewordedFamilyTests
{
    private static readonly TaskSuite Suite = new(seed: 0);

    public static TheoryData<string, string> Pairs() => new()
    {
        { "arithmetic", "arithmetic-reworded" },
        { "word-problem", "word-problem-reworded" },
        { "variable-chain", "variable-chain-reworded" },
        { "knowledge", "knowledge-reworded" },
        { "reading", "reading-reworded" },
        { "multiple-choice", "multiple-choice-reworded" },
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public void RewordedItemKeepsTheSourceItemsChainAnswerAndSplitKeyInNewWords(string source, string reworded)
    {
        var generators = Generators();
        for (var i = 0; i < 200; i++)
        {
            int difficulty = 1 + i % 5;
            var original = generators[source].Create(new StableRandom((ulong)i), difficulty);
            var item = generators[reworded].Create(new StableRandom((ulong)i), difficulty);

            Assert.Equal(reworded, item.Family);
            Assert.Equal(TaskDomain.OutOfDomain, item.Domain);
            Assert.NotEqual(original.Question, item.Question);
            Assert.Equal((original.Reasoning, original.Answer, original.SplitKey, original.Difficulty),
                (item.Reasoning, item.Answer, item.SplitKey, item.Difficulty));
        }
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void NoTestItemAsksATrainingQuestionOrRewordsATrainingItem(string source, string reworded)
    {
        var train = Suite.Generate(source, TaskSplit.Train, 4000);
        var trainQuestions = train.Select(i => i.Question).ToHashSet();
        var trainKeys = train.Select(i => i.SplitKey).ToHashSet();
        var items = Suite.Generate(reworded, TaskSplit.Test, 300);
        Assert.All(items, i =>
        {
            Assert.DoesNotContain(i.Question, trainQuestions);
            Assert.DoesNotContain(i.SplitKey, trainKeys);
        });
        // Several wordings in use, not one rule that always fires the same way.
        Assert.True(items.Select(i => Shape().Replace(i.Question, "#")).Distinct().Count() >= 3);
    }

    [Fact]
    public void KnowledgeRewordingCoversEveryTrainedWordingOfEveryRelation()
    {
        var generators = Generators();
        var knowledge = generators["knowledge-reworded"];
        foreach (var relation in Relation.All)
            foreach (var wording in relation.Questions)
            {
                var question = Relation.Fill(wording, "Vornia", "Telsk");
                var item = new TaskItem("", "knowledge", TaskDomain.InDomain, 1, question, null, "Telsk", "x");
                var rewordedQuestion = ((RewordedFamily)knowledge).Reword(item, new StableRandom(1)).Question;
                Assert.Contains(rewordedQuestion, relation.NewQuestions.Select(n => Relation.Fill(n, "Vornia", "Telsk")));
            }
    }

    [Fact]
    public void MultipleChoiceRewordingKeepsTheOptionsAndAsksEveryStemAnew()
    {
        var generators = Generators();
        for (var i = 0; i < 200; i++)
        {
            var original = generators["multiple-choice"].Create(new StableRandom((ulong)i), 1 + i % 5);
            var item = generators["multiple-choice-reworded"].Create(new StableRandom((ulong)i), 1 + i % 5);
            Assert.Equal(original.Choices, item.Choices);
            Assert.Equal((original.ReplyAnswer, original.Target), (item.ReplyAnswer, item.Target));
            Assert.True(DiSRouter.Core.Tasks.Grading.Grader.IsCorrect(item, item.Target));
        }
        foreach (var relation in Relation.All)
        {
            var stem = Relation.Fill(relation.ChoiceStem, "Vornia", "Telsk");
            var item = new TaskItem("", "multiple-choice", TaskDomain.InDomain, 1, stem, ["Telsk", "Orb", "Mip", "Zag"], "A", "x");
            var reworded = ((RewordedFamily)generators["multiple-choice-reworded"]).Reword(item, new StableRandom(1)).Question;
            Assert.Contains(reworded, relation.NewQuestions.Select(n => Relation.Fill(n, "Vornia", "Telsk")));
        }
    }

    [Fact]
    public void AQuestionNoRuleChangesIsAGeneratorBug()
    {
        var rewording = new Rewording(("^What is (?<e>.+)\\?$", ["Compute ${e}."]));
        Assert.Equal("Compute 3+4.", rewording.Apply("What is 3+4?", new StableRandom(0)));
        Assert.Throws<InvalidOperationException>(() => rewording.Apply("Add 3 and 4.", new StableRandom(0)));
    }

    [System.Text.RegularExpressions.GeneratedRegex("[0-9]+|[A-Z][a-z]+")]
    private static partial System.Text.RegularExpressions.Regex Shape();

    private static IReadOnlyDictionary<string, ITaskGenerator> Generators() => Suite.Generators;
}
