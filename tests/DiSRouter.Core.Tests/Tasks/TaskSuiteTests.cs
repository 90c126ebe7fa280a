using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using DiSRouter.Core.Tasks;
using DiSRouter.Core.Tasks.Grading;
using DiSRouter.Core.Tasks.Knowledge;

namespace DiSRouter.Core.Tests.Tasks;

public sealed partial class TaskSuiteTests
{
    private static readonly TaskSuite Suite = new(seed: 0);

    public static TheoryData<string> AllFamilies() => new(Suite.Families.Select(f => f.Name));

    public static TheoryData<string> InDomainFamilies() => new(Suite.InDomainFamilies.Select(f => f.Name));

    [Fact]
    public void SuiteHasSixInDomainAndSixOutOfDomainFamilies()
    {
        Assert.Equal(
            ["arithmetic", "word-problem", "variable-chain", "knowledge", "multiple-choice", "reading"],
            Suite.InDomainFamilies.Select(f => f.Name));
        Assert.Equal(["arithmetic-reworded", "word-problem-reworded", "variable-chain-reworded", "knowledge-reworded", "reading-reworded",
                "multiple-choice-reworded"],
            Suite.OutOfDomainFamilies.Select(f => f.Name));
        Assert.Throws<ArgumentException>(() => Suite.Family("poetry"));
    }

    [Theory]
    [MemberData(nameof(AllFamilies))]
    public void SameSeedGivesSameItemsTwiceAndAcrossInstances(string family)
    {
        var sut = new TaskSuite(seed: 0);
        var first = Suite.Generate(family, TaskSplit.Test, 40, seed: 3);
        var again = Suite.Generate(family, TaskSplit.Test, 40, seed: 3);
        var other = sut.Generate(family, TaskSplit.Test, 40, seed: 3);
        Assert.Equal(first, again);
        Assert.Equal(first, other);
    }

    [Theory]
    [MemberData(nameof(AllFamilies))]
    public void DifferentSeedsGiveDifferentDraws(string family)
    {
        var a = Suite.Generate(family, TaskSplit.Validation, 40, seed: 1).Select(i => i.Prompt);
        var b = Suite.Generate(family, TaskSplit.Validation, 40, seed: 2).Select(i => i.Prompt);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void SuiteSeedChangesTheWorld()
    {
        var sut = new TaskSuite(seed: 1);
        Assert.NotEqual(Suite.Knowledge.Facts.Select(f => f.Statement), sut.Knowledge.Facts.Select(f => f.Statement));
    }

    // Golden fingerprint of a small test split. It pins determinism across machines and runtimes (CI runs it on
    // another machine). It changes whenever a generator changes on purpose: update it then, knowing that the pool's
    // data hash changes too.
    [Fact]
    public void GeneratedItemsMatchTheirFingerprint()
    {
        var sut = new TaskSuite(seed: 0, new TaskSuiteOptions { TestPerFamily = 25 });
        var text = string.Join("\n", sut.Items(TaskSplit.Test).Select(i => $"{i.Id}|{i.Difficulty}|{i.Prompt}|{i.Target}"));
        Assert.Equal(GoldenFingerprint, StableHash.Of(text).ToString("X16"));
    }

    private const string GoldenFingerprint = "E676D3E3DBB6D157"; // C0F8B84AEB3618A3 without multiple-choice-reworded, as before it was added

    [Theory]
    [MemberData(nameof(InDomainFamilies))]
    public void SplitsAreDisjointByQuestion(string family)
    {
        var train = Suite.Generate(family, TaskSplit.Train, 1500).Concat(Suite.Generate(family, TaskSplit.Train, 300, seed: 9));
        var validation = Suite.Generate(family, TaskSplit.Validation, 300).Concat(Suite.Generate(family, TaskSplit.Validation, 100, seed: 9));
        var test = Suite.Generate(family, TaskSplit.Test, 300).Concat(Suite.Generate(family, TaskSplit.Test, 100, seed: 9));
        var (tr, va, te) = (train.Select(i => i.Question).ToHashSet(), validation.Select(i => i.Question).ToHashSet(), test.Select(i => i.Question).ToHashSet());
        Assert.Empty(tr.Intersect(va));
        Assert.Empty(tr.Intersect(te));
        Assert.Empty(va.Intersect(te));
    }

    [Theory]
    [MemberData(nameof(AllFamilies))]
    public void EveryItemBelongsToTheSplitItWasDrawnFor(string family)
    {
        foreach (var split in new[] { TaskSplit.Validation, TaskSplit.Test })
            Assert.All(Suite.Generate(family, split, 60), item => Assert.Equal(split, TaskSplits.Of(item.SplitKey)));
    }

    [Fact]
    public void NoKnowledgeFactIsAskedInTwoSplits()
    {
        // Knowledge items split by fact, so a fact trained under one wording is never tested under another.
        string[] families = ["knowledge", "multiple-choice"];
        HashSet<string> Facts(TaskSplit split) => families
            .SelectMany(f => Suite.Generate(f, split, split == TaskSplit.Train ? 1500 : 300))
            .Where(i => i.SplitKey.StartsWith("fact:", StringComparison.Ordinal)).Select(i => i.SplitKey).ToHashSet();
        var train = Facts(TaskSplit.Train);
        var test = Facts(TaskSplit.Test);
        var validation = Facts(TaskSplit.Validation);
        Assert.NotEmpty(train);
        Assert.NotEmpty(test);
        Assert.Empty(train.Intersect(test));
        Assert.Empty(train.Intersect(validation));
        Assert.Empty(validation.Intersect(test));
    }

    [Fact]
    public void OutOfDomainFamiliesAreNeverInTraining()
    {
        Assert.Throws<ArgumentException>(() => Suite.Generate("knowledge-reworded", TaskSplit.Train, 10));
        var sut = new TaskSuite(0, new TaskSuiteOptions { TrainPerFamily = 10, TestPerFamily = 10 });
        var train = sut.Items(TaskSplit.Train);
        Assert.Equal(60, train.Count);
        Assert.All(train, i => Assert.Equal(TaskDomain.InDomain, i.Domain));
        var test = sut.Items(TaskSplit.Test);
        Assert.Equal(120, test.Count);
        Assert.Equal(60, test.Count(i => i.Domain == TaskDomain.OutOfDomain));
    }

    [Theory]
    [MemberData(nameof(AllFamilies))]
    public void DifficultyMixIsExactlyAsDesigned(string family)
    {
        var items = Suite.Generate(family, TaskSplit.Test, 200, seed: 5);
        Assert.Equal(200, items.Count);
        for (var d = 1; d <= 5; d++) Assert.Equal(40, items.Count(i => i.Difficulty == d));
    }

    [Fact]
    public void SplitMixesFamiliesAndDifficultiesAsDesigned()
    {
        var sut = new TaskSuite(0, new TaskSuiteOptions { ValidationPerFamily = 30, DifficultyWeights = [2, 1, 1, 1, 1] });
        var items = sut.Items(TaskSplit.Validation);
        Assert.Equal(360, items.Count);
        foreach (var group in items.GroupBy(i => i.Family))
        {
            Assert.Equal(30, group.Count());
            Assert.Equal(1.0 / 12, (double)group.Count() / items.Count, 6);
            Assert.Equal(new[] { 10, 5, 5, 5, 5 }, Enumerable.Range(1, 5).Select(d => group.Count(i => i.Difficulty == d)));
        }
    }

    [Fact]
    public void DifficultyCountsUseLargestRemainder()
    {
        Assert.Equal(new[] { 2, 2, 1, 1, 1 }, TaskSuite.DifficultyCounts(7, [1, 1, 1, 1, 1]));
        Assert.Equal(new[] { 5, 0, 0, 0, 5 }, TaskSuite.DifficultyCounts(10, [1, 0, 0, 0, 1]));
        Assert.Equal(new[] { 0, 0, 0, 0, 0 }, TaskSuite.DifficultyCounts(0, [1, 1, 1, 1, 1]));
        Assert.Throws<ArgumentException>(() => new TaskSuite(0, new TaskSuiteOptions { DifficultyWeights = [1, 1] }));
    }

    [Theory]
    [MemberData(nameof(AllFamilies))]
    public void ReferenceAnswerPassesItsOwnGrader(string family)
    {
        var declared = Suite.Family(family).Graders;
        for (var seed = 0; seed < 5; seed++)
        {
            foreach (var item in Suite.Generate(family, TaskSplit.Test, 100, seed))
            {
                Assert.Contains(Grader.KindFor(item), declared);
                var grade = Grader.Grade(item, item.Target);
                Assert.True(grade.Correct, $"{item.Id}: '{item.Target}' failed its own grader (read '{grade.Extracted}').");
                Assert.False(grade.Rejected);
                Assert.False(Grader.Grade(item, "I don't know!").Correct);
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllFamilies))]
    public void ItemsAreWellFormedAndWithinByteBudgets(string family)
    {
        var info = Suite.Family(family);
        var items = Suite.Generate(family, TaskSplit.Test, 300, seed: 11);
        Assert.Equal(items.Count, items.Select(i => i.Id).Distinct().Count());
        foreach (var item in items)
        {
            Assert.Equal(family, item.Family);
            Assert.Equal(info.Domain, item.Domain);
            Assert.InRange(item.Difficulty, 1, 5);
            Assert.False(string.IsNullOrWhiteSpace(item.Answer));
            Assert.False(item.Reasoning.EndsWith('.'));
            Assert.StartsWith(AnswerTemplate.StepsPrefix, item.Target);
            Assert.EndsWith(AnswerTemplate.FinalAnswerPrefix + item.Answer + ".", item.Target);
            Assert.InRange(Encoding.UTF8.GetByteCount(item.Prompt), 10, TaskLimits.MaxPromptBytes);
            Assert.InRange(Encoding.UTF8.GetByteCount(item.Target), 20, TaskLimits.MaxTargetBytes);
            Assert.InRange(Encoding.UTF8.GetByteCount(item.Prompt + item.Target), 30, TaskLimits.MaxItemBytes);
            Assert.DoesNotMatch(@"\bhas 1 [a-z]+s\b", item.Prompt); // counts in passages are plural
            if (item.Choices is { } choices)
            {
                Assert.Equal(4, choices.Count);
                Assert.Equal(4, choices.Distinct().Count());
                Assert.Matches("^[A-D]$", item.Answer);
            }
        }
    }

    [Fact]
    public void ChoiceAnswersSpreadOverAllFourLetters()
    {
        var items = Suite.Generate("multiple-choice", TaskSplit.Train, 800);
        foreach (var letter in new[] { "A", "B", "C", "D" })
            Assert.InRange(items.Count(i => i.Answer == letter) / 800.0, 0.17, 0.33);
    }

    [Fact]
    public void DefaultChoiceChainNamesTheLetterRightAfterTheValue()
    {
        foreach (var item in Suite.Generate("multiple-choice", TaskSplit.Test, 200, seed: 5))
            Assert.EndsWith($"{item.Choices![item.Answer[0] - 'A']}, option {item.Answer}", item.Reasoning);
    }

    [Fact]
    public void CopiedPairsChainCopiesEveryOptionThenWritesTheValueAndTheLetterThatFollowedIt()
    {
        var suite = new TaskSuite(0, new TaskSuiteOptions { ChoiceChain = ChoiceChain.CopiedPairs });
        var items = suite.Generate("multiple-choice", TaskSplit.Test, 400, seed: 5);
        // The same questions and answers as the default chain: only the reasoning differs.
        Assert.Equal(Suite.Generate("multiple-choice", TaskSplit.Test, 400, seed: 5).Select(i => (i.Question, i.Answer)),
            items.Select(i => (i.Question, i.Answer)));
        foreach (var item in items)
        {
            int split = item.Reasoning.IndexOf("; ", StringComparison.Ordinal);
            var (pairs, worked) = (item.Reasoning[..split], item.Reasoning[(split + 2)..]);
            Assert.Equal(string.Join(", ", item.Choices!.Select((c, i) => $"{c} {TaskItem.OptionLetter(i)}")), pairs);
            var right = item.Choices![item.Answer[0] - 'A'];
            Assert.EndsWith($"{right} {item.Answer}", worked);
            Assert.Contains($"{right} {item.Answer}", pairs);
        }
    }

    [Fact]
    public void OptionTextChainAnswersWithTheRightOptionsTextWhichTheGraderTakesForItsLetter()
    {
        var suite = new TaskSuite(0, new TaskSuiteOptions { ChoiceChain = ChoiceChain.OptionText });
        var items = suite.Generate("multiple-choice", TaskSplit.Test, 400, seed: 5);
        var lettered = Suite.Generate("multiple-choice", TaskSplit.Test, 400, seed: 5);
        Assert.Equal(lettered.Select(i => (i.Question, i.Answer)), items.Select(i => (i.Question, i.Answer)));
        foreach (var (item, before) in items.Zip(lettered))
        {
            var right = item.Choices![item.Answer[0] - 'A'];
            Assert.Equal(right, item.ReplyAnswer);
            Assert.EndsWith($"The final answer is: {right}.", item.Target);
            Assert.DoesNotContain("option", item.Target);
            Assert.Equal(before.Reasoning, $"{item.Reasoning}, option {item.Answer}");
            Assert.True(Grader.IsCorrect(item, item.Target), item.Target);
            // Another option's text is another option.
            var wrong = item.Choices!.First(c => c != right);
            Assert.False(Grader.IsCorrect(item, item.Target.Replace($": {right}.", $": {wrong}.")), wrong);
        }
        Assert.All(lettered, i => Assert.Null(i.ReplyAnswer));
    }

    [Fact]
    public void RewordedArithmeticAsksTrainedChainsInNewWordsAndNeverATrainingExpression()
    {
        var trainQuestions = Suite.Generate("arithmetic", TaskSplit.Train, 4000).Select(i => i.Question).ToHashSet();
        var items = Suite.Generate("arithmetic-reworded", TaskSplit.Test, 300);
        var arithmeticTest = Suite.Generate("arithmetic", TaskSplit.Test, 300);

        Assert.All(items, i => Assert.DoesNotContain("What is", i.Question));
        Assert.Equal(5, items.Select(i => Regex.Replace(i.Question, @"[0-9+*-]+", "#")).Distinct().Count());
        foreach (var item in items)
        {
            var expression = Regex.Match(item.Question, @"[0-9][0-9+*-]*").Value;
            Assert.DoesNotContain($"What is {expression}?", trainQuestions);
            // The same steps and answer as the arithmetic family's item for that expression.
            Assert.Equal(item.Difficulty, item.Reasoning.Count(c => c == '='));
        }
        Assert.Equal(arithmeticTest.Select(i => i.Difficulty).Order(), items.Select(i => i.Difficulty).Order());
    }

    [Fact]
    public void PickingTheMiddleNumericOptionIsNoBetterThanChance()
    {
        var items = Suite.Generate("multiple-choice", TaskSplit.Train, 1500)
            .Where(i => i.Choices!.All(c => NumericGrader.IsNumber(c))).ToList();
        Assert.True(items.Count > 400);
        var hits = items.Count(i =>
        {
            var v = i.Choices!.Select(c => decimal.Parse(c, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            var middle = Enumerable.Range(0, 4).MinBy(k => v.Sum(x => Math.Abs(x - v[k])));
            return TaskItem.OptionLetter(middle) == i.Answer;
        });
        Assert.InRange((double)hits / items.Count, 0.15, 0.35);
    }

    // ---- the difficulty knob changes the items ----

    [GeneratedRegex(@"\d+")]
    private static partial Regex Numbers();

    private static IReadOnlyList<TaskItem> AtDifficulty(string family, int d, int n = 60)
    {
        var weights = Enumerable.Range(1, 5).Select(k => k == d ? 1.0 : 0.0).ToArray();
        return new TaskSuite(0, new TaskSuiteOptions { DifficultyWeights = weights }).Generate(family, TaskSplit.Test, n);
    }

    [Fact]
    public void ArithmeticDifficultyIsTheNumberOfOneDigitSteps()
    {
        for (var d = 1; d <= 5; d++)
        {
            foreach (var item in AtDifficulty("arithmetic", d))
            {
                var numbers = Numbers().Matches(item.Question).Select(m => int.Parse(m.Value, CultureInfo.InvariantCulture)).ToList();
                Assert.Equal(d + 1, numbers.Count);
                Assert.Equal(d, item.Reasoning.Count(c => c == '='));
                Assert.All(numbers.Skip(1), n => Assert.InRange(n, 1, 9)); // every step takes one digit
                Assert.Equal(d >= 4, item.Question.Contains('*')); // the long chains open with a one-digit product
                Assert.All(item.Reasoning.Split(", "), s => Assert.InRange(int.Parse(s[(s.IndexOf('=') + 1)..], CultureInfo.InvariantCulture), 0, 99));
            }
        }
    }

    [Fact]
    public void TwoDigitOpeningChangesOnlyTheHardestArithmeticChains()
    {
        var twoDigit = new TaskSuite(seed: 0, new TaskSuiteOptions { HardestArithmetic = ArithmeticOpening.TwoDigitProduct });
        var hardest = twoDigit.Generate("arithmetic", TaskSplit.Test, 500).Where(i => i.Difficulty == 5).ToList();

        Assert.Equal(100, hardest.Count);
        foreach (var item in hardest)
        {
            var m = Regex.Match(item.Question, @"^What is (\d+)\*(\d)[+-]");
            Assert.True(m.Success, item.Question);
            int a = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), b = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            Assert.InRange(a, 11, 33);
            Assert.InRange(a * b, 22, 99);
            Assert.StartsWith($"{a}*{b}={a * b}, ", item.Reasoning);
            Assert.Equal(5, item.Reasoning.Count(c => c == '='));
            Assert.True(Grader.IsCorrect(item, item.Target));
        }
        Assert.True(hardest.Select(i => i.Question[..i.Question.IndexOf('*')]).Distinct().Count() > 15); // many two-digit factors
        // The shorter chains keep their one-digit operands (the draw order moves, so not the same questions), and every
        // other family asks exactly what the default world asks.
        Assert.All(twoDigit.Generate("arithmetic", TaskSplit.Test, 500).Where(i => i.Difficulty < 5),
            i => Assert.DoesNotMatch(@"\d\d\*", i.Question));
        Assert.Equal(Suite.Generate("word-problem", TaskSplit.Test, 100), twoDigit.Generate("word-problem", TaskSplit.Test, 100));
    }

    [Fact]
    public void ChainAndWordProblemDifficultyTurnsTheNumberOfSteps()
    {
        for (var d = 1; d <= 5; d++)
        {
            Assert.All(AtDifficulty("variable-chain", d), i =>
            {
                Assert.Equal(d + 1, i.Question.Count(c => c == '='));
                Assert.Equal(d, i.Reasoning.Split(", ").Length);
            });
        }
        for (var d = 1; d <= 5; d++)
            Assert.All(AtDifficulty("word-problem", d), i => Assert.Equal(d, i.Reasoning.Split(", ").Length));
    }

    [Fact]
    public void ReadingDifficultyTurnsPassageLength()
    {
        int[] sentences = [2, 4, 3, 4, 4];
        for (var d = 1; d <= 5; d++)
            Assert.All(AtDifficulty("reading", d), i => Assert.Equal(sentences[d - 1], i.Question.Split('\n')[0].Count(c => c == '.')));
        Assert.All(AtDifficulty("reading", 5), i => Assert.Contains("in all?", i.Question));
    }

    [Fact]
    public void KnowledgeDifficultyIsTheFactsFrequencyTier()
    {
        for (var d = 1; d <= 5; d++)
        {
            foreach (var item in AtDifficulty("knowledge", d))
            {
                var fact = FactAsked(item);
                Assert.Equal(d, fact.Tier);
                Assert.Equal(fact.Statement, item.Reasoning);
                Assert.Equal(fact.Object, item.Answer);
                Assert.Equal(item.Question, item.SplitKey); // split by wording, like a benchmark's questions
            }
        }
        var rare = AtDifficulty("knowledge", 5).Select(i => FactAsked(i).Repeats).Max();
        var common = AtDifficulty("knowledge", 1).Select(i => FactAsked(i).Repeats).Min();
        Assert.True(common > rare, $"tier-1 facts ({common}+ repeats) must be stated more often than tier-5 facts ({rare}).");
    }

    [Fact]
    public void KnowledgeTrainingItemsAskEachFactAsOftenAsItIsStatedInTrainWordingsOnly()
    {
        var items = Suite.KnowledgeTrainingItems();
        Assert.All(items, i => Assert.Equal(TaskSplit.Train, TaskSplits.Of(i.Question)));
        var perFact = items.GroupBy(FactAsked).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(perFact, kv => Assert.Equal(kv.Key.Repeats, kv.Value));
        Assert.True(perFact.Count > Suite.Knowledge.Facts.Count * 9 / 10, "nearly every fact has a wording in the train split");
        var test = Suite.Generate("knowledge", TaskSplit.Test, 200).Select(i => i.Question).ToHashSet();
        Assert.DoesNotContain(items, i => test.Contains(i.Question));
        Assert.Equal(2 * items.Count, Suite.KnowledgeTrainingItems(passes: 2).Count);
    }

    private static Fact FactAsked(TaskItem item) =>
        Suite.Knowledge.Facts.Single(f => f.Relation.Questions.Any(q => Relation.Fill(q, f.Subject, f.Object) == item.Question));
}
