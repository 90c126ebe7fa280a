using DiSRouter.Core.Scenarios;
using DiSRouter.Training.SelfAwareness;

namespace DiSRouter.Training.Tests.SelfAwareness;

public sealed class SftDataBuilderTests
{
    private static readonly double[] NamedAlphas = [0.2, 0.5, 0.8];

    /// <summary>A query with <paramref name="correct"/> right samples out of <paramref name="n"/>; right ones follow the template.</summary>
    internal static QuerySamples Query(string id, int correct, int n = 8) => new()
    {
        Id = id,
        Family = "arith",
        Difficulty = "easy",
        Question = $"What is {id}?",
        Reference = "42",
        Samples = Enumerable.Range(0, n).Select(j => j < correct
            ? new SampleRecord { Text = $"Let's think step by step: path {j} for {id}. The final answer is: 42.", Answer = "42", Correct = true, Tokens = 20 }
            : new SampleRecord { Text = $"Let's think step by step: slip {j}. The final answer is: 41.", Answer = "41", Correct = false, Tokens = 20 }).ToList(),
    };

    // q0 … q8 with 0 … 8 correct samples out of 8, so p(x) = c / 8.
    private static List<QuerySamples> Ladder() => Enumerable.Range(0, 9).Select(c => Query($"q{c}", c)).ToList();

    [Fact]
    public void CapabilityExactlyAtTheThresholdIsAnswerableAndJustBelowIsRejected()
    {
        // α = 0.2 → δ = 0.8: 8/10 = 0.8 answers, 7/10 = 0.7 rejects. α = 0.5 → δ = 0.5: 4/8 answers, 3/8 rejects.
        Assert.False(SftDataBuilder.ShouldReject(8 / 10.0, 0.2));
        Assert.True(SftDataBuilder.ShouldReject(7 / 10.0, 0.2));
        Assert.False(SftDataBuilder.ShouldReject(4 / 8.0, 0.5));
        Assert.True(SftDataBuilder.ShouldReject(3 / 8.0, 0.5));
        Assert.False(SftDataBuilder.ShouldReject(2 / 10.0, 0.8));
        Assert.True(SftDataBuilder.ShouldReject(1 / 10.0, 0.8));

        var sut = new SftDataBuilder([0.2], seed: 1);
        var data = sut.Build([Query("at", 8, n: 10), Query("below", 7, n: 10)]);
        Assert.Equal(2, data.Examples.Count);
        Assert.False(data.Examples.Single(e => e.QueryId == "at").Reject);
        Assert.True(data.Examples.Single(e => e.QueryId == "below").Reject);
    }

    [Fact]
    public void LabelsFollowTheThresholdOfEachScenarioBeforeBalancing()
    {
        var sut = new SftDataBuilder(NamedAlphas, seed: 1);
        var counts = sut.Build(Ladder()).Counts;
        // δ = 0.8: answer c ∈ {7, 8}; δ = 0.5: c ∈ {4 … 8}; δ = 0.2: c ∈ {2 … 8}.
        Assert.Equal([(2, 7), (5, 4), (7, 2)], counts.Select(c => (c.LabelledAnswer, c.LabelledReject)));
        Assert.All(counts, c => Assert.Equal(9, c.Queries));
    }

    [Fact]
    public void OverallBalanceShiftsEveryScenariosOddsByOneFactorToHalfAnswers()
    {
        // The ladder's labels per scenario (answers, rejections): δ = 0.8 (2, 7), δ = 0.5 (5, 4), δ = 0.2 (7, 2).
        var shares = SftDataBuilder.OverallAnswerShares([(2, 7), (5, 4), (7, 2)]);

        Assert.Equal(0.5, shares.Average(), 9);
        Assert.True(shares[0] < shares[1] && shares[1] < shares[2]);
        double Factor(double share, int a, int r) => share / (1 - share) / ((double)a / r);
        Assert.Equal(Factor(shares[0], 2, 7), Factor(shares[1], 5, 4), 6);
        Assert.Equal(Factor(shares[0], 2, 7), Factor(shares[2], 7, 2), 6);
        // A scenario with one class keeps it; the others carry the balance.
        Assert.Equal([0.0, 1.0], SftDataBuilder.OverallAnswerShares([(0, 9), (9, 0)]));
    }

    [Fact]
    public void OverallBalanceLetsTheAnswerShareRiseWithAlphaWhileTheWholeSetStaysEven()
    {
        var data = new SftDataBuilder(NamedAlphas, seed: 1, maxRepeats: 4, balance: SftBalance.Overall).Build(Ladder());

        var perScenario = data.Counts.Select(c => (double)c.KeptAnswer / (c.KeptAnswer + c.KeptReject)).ToList();
        Assert.True(perScenario[0] < perScenario[1] && perScenario[1] < perScenario[2]);
        int answers = data.Examples.Count(e => !e.Reject), rejects = data.Examples.Count(e => e.Reject);
        Assert.InRange(answers - rejects, -3, 3); // one rounding per scenario
        Assert.All(data.Counts, c => Assert.Equal(data.Counts[0].KeptAnswer + data.Counts[0].KeptReject, c.KeptAnswer + c.KeptReject));
    }

    [Fact]
    public void RepeatsLetTheSmallerClassGrowUpToTheLargerOneBeforeDownsampling()
    {
        // Ladder: the smallest class has 2 queries (δ = 0.8 answers, δ = 0.2 rejects). Two repeats: 2 × 2 = 4 per
        // class, each of those 2 queries kept twice.
        var data = new SftDataBuilder(NamedAlphas, seed: 1, maxRepeats: 2).Build(Ladder());
        Assert.Equal(3 * 2 * 4, data.Examples.Count);
        foreach (var alpha in NamedAlphas)
        {
            var mine = data.Examples.Where(e => e.Alpha == alpha).ToList();
            Assert.Equal(4, mine.Count(e => e.Reject));
            Assert.Equal(4, mine.Count(e => !e.Reject));
        }
        var strictAnswers = data.Examples.Where(e => e.Alpha == 0.2 && !e.Reject).GroupBy(e => e.QueryId).ToList();
        Assert.Equal(["q7", "q8"], strictAnswers.Select(g => g.Key).Order());
        Assert.All(strictAnswers, g => Assert.Equal(2, g.Count()));

        // With many repeats T is the middle scenario's larger class (7 at δ = 0.8 and 0.2, 5 at δ = 0.5 → 7): every
        // scenario gives 7 + 7, the δ = 0.5 classes (5 answers, 4 rejections) repeated to reach it.
        var capped = new SftDataBuilder(NamedAlphas, seed: 1, maxRepeats: 100).Build(Ladder());
        Assert.Equal(3 * 2 * 7, capped.Examples.Count);
        Assert.All(NamedAlphas, a => Assert.Equal(7, capped.Examples.Count(e => e.Alpha == a && e.Reject)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SftDataBuilder(NamedAlphas, seed: 1, maxRepeats: 0).Build(Ladder()));
    }

    [Fact]
    public void EachScenarioKeepsEqualAnswersAndRejectionsAndEveryScenarioTheSameAmount()
    {
        var sut = new SftDataBuilder(NamedAlphas, seed: 1);
        var data = sut.Build(Ladder());
        // The smallest class over all scenarios has 2 queries, so every scenario keeps 2 answers and 2 rejections.
        Assert.Equal(12, data.Examples.Count);
        foreach (var alpha in NamedAlphas)
        {
            var mine = data.Examples.Where(e => e.Alpha == alpha).ToList();
            Assert.Equal(2, mine.Count(e => e.Reject));
            Assert.Equal(2, mine.Count(e => !e.Reject));
        }
        Assert.All(data.Counts, c => Assert.Equal((2, 2), (c.KeptAnswer, c.KeptReject)));
        // Every kept label is the one the threshold gives.
        Assert.All(data.Examples, e => Assert.Equal(SftDataBuilder.ShouldReject(e.Capability, e.Alpha), e.Reject));
    }

    [Fact]
    public void TargetsAreTheRejectionTextOrTheTemplateFilledFromOneOfTheModelsOwnCorrectSamples()
    {
        var sut = new SftDataBuilder(NamedAlphas, seed: 3);
        var queries = Ladder();
        var data = sut.Build(queries);
        foreach (var e in data.Examples)
        {
            if (e.Reject) { Assert.Equal("I don't know!", e.Target); continue; }
            var q = queries.Single(q => q.Id == e.QueryId);
            Assert.Matches(@"^Let's think step by step: path \d for q\d\. The final answer is: 42\.$", e.Target);
            Assert.Contains(q.Samples.Where(s => s.Correct), s => s.Text == e.Target);
        }
    }

    [Fact]
    public void TheScenarioInstructionIsTheSystemMessageAndTheQueryTheUserMessage()
    {
        var sut = new SftDataBuilder(NamedAlphas, seed: 1);
        var data = sut.Build(Ladder());
        Assert.All(data.Examples, e =>
        {
            Assert.Equal(ScenarioPrompt.For(Scenario.FromAlpha(e.Alpha), SelfAwarePrompt.Style), e.System);
            Assert.Equal($"What is {e.QueryId}?", e.User);
        });
        Assert.Contains(data.Examples, e => e.System == "Cost weight 0.20.");
        Assert.Contains(data.Examples, e => e.System == "Cost weight 0.80.");
    }

    [Fact]
    public void AnyAlphaGridWorksAndACustomAlphaGetsItsOwnInstruction()
    {
        var sut = new SftDataBuilder([0.35, 0.65], seed: 1);
        var data = sut.Build(Ladder());
        // δ = 0.65: reject c/8 < 0.65 → c ≤ 5 (6), answer 3; δ = 0.35: reject c ≤ 2 (3), answer 6 → 3 per class.
        Assert.Equal(12, data.Examples.Count);
        Assert.All(data.Examples.Where(e => e.Alpha == 0.35), e => Assert.Equal(ScenarioPrompt.For(Scenario.FromAlpha(0.35), SelfAwarePrompt.Style), e.System));
        Assert.Equal("alpha-0.35", data.Counts[0].Scenario);
    }

    [Fact]
    public void TheSameSeedGivesTheSameDataWhateverTheInputOrder()
    {
        var sut = new SftDataBuilder(NamedAlphas, seed: 7);
        var forward = sut.Build(Ladder()).Examples;
        var backward = sut.Build(Enumerable.Reverse(Ladder())).Examples;
        Assert.Equal(forward, backward);
        var otherSeeds = Enumerable.Range(100, 5).Select(s => new SftDataBuilder(NamedAlphas, s).Build(Ladder()).Examples);
        Assert.Contains(otherSeeds, other => !other.SequenceEqual(forward));
    }

    [Fact]
    public void MaxExamplesCapsTheDataKeepingTheBalance()
    {
        var sut = new SftDataBuilder(NamedAlphas, seed: 1, maxExamples: 6);
        var data = sut.Build(Ladder());
        Assert.Equal(6, data.Examples.Count);
        Assert.All(NamedAlphas, a => Assert.Equal(1, data.Examples.Count(e => e.Alpha == a && e.Reject)));
    }

    [Fact]
    public void AQueryWithoutACorrectSampleIsSkippedWhenTheThresholdIsZeroAndCounted()
    {
        var sut = new SftDataBuilder([1.0], seed: 1);
        var data = sut.Build([Query("none", 0), Query("some", 3)]);
        Assert.Equal(1, data.Counts[0].SkippedNoCorrectSample);
        Assert.Equal(1, data.Counts[0].LabelledAnswer);
        Assert.Equal(0, data.Counts[0].LabelledReject);
        Assert.Empty(data.Examples); // no rejection to balance the answer with
    }

    [Fact]
    public void AScenarioWithNothingAnswerableTeachesRejectionWithTheSameAmountAsTheBalancedOnes()
    {
        // p(x) ∈ {0, 3/8, 5/8}: nothing reaches δ = 0.8, so α = 0.2 has rejections only; α = 0.5 and 0.8 are balanced
        // with one answer each at least (perClass = 1): α = 0.2 gets 2 rejections, the others 1 + 1.
        var data = new SftDataBuilder(NamedAlphas, seed: 1).Build([Query("a", 0), Query("b", 3), Query("c", 5)]);
        var strict = data.Examples.Where(e => e.Alpha == 0.2).ToList();
        Assert.Equal(2, strict.Count);
        Assert.All(strict, e => Assert.True(e.Reject));
        Assert.Equal((0, 2), (data.Counts[0].KeptAnswer, data.Counts[0].KeptReject));
        Assert.All(new[] { 0.5, 0.8 }, a => Assert.Equal(2, data.Examples.Count(e => e.Alpha == a)));
        Assert.All(new[] { 0.5, 0.8 }, a => Assert.Equal(1, data.Examples.Count(e => e.Alpha == a && e.Reject)));
    }

    [Fact]
    public void AScenarioWhoseSmallerClassIsTinyFillsUpWithTheLargerOneInsteadOfShrinkingEveryScenario()
    {
        // One query reaches δ = 0.8 (8/8); many are in between. Without the fill-up, the single answerable query would
        // cap every scenario at 2 repeats of itself.
        List<QuerySamples> queries = [Query("top", 8), .. Enumerable.Range(0, 6).Select(i => Query($"mid{i}", 4)), .. Enumerable.Range(0, 6).Select(i => Query($"low{i}", 0))];
        var data = new SftDataBuilder(NamedAlphas, seed: 1, maxRepeats: 2).Build(queries);
        // δ = 0.5 and 0.2: 7 answers, 6 rejections → min(7, 12) = 7 per class; δ = 0.8: 1 answer → min(12, 2) = 2. T = 7.
        Assert.All(NamedAlphas, a => Assert.Equal(14, data.Examples.Count(e => e.Alpha == a)));
        var strict = data.Examples.Where(e => e.Alpha == 0.2).ToList();
        Assert.Equal(2, strict.Count(e => !e.Reject)); // the one answerable query, twice
        Assert.Equal(12, strict.Count(e => e.Reject));
        Assert.Equal(7, data.Examples.Count(e => e.Alpha == 0.5 && !e.Reject));
    }

    [Fact]
    public void ABadAlphaGridIsRefused()
    {
        Assert.Throws<ArgumentException>(() => new SftDataBuilder([], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SftDataBuilder([1.2], 1));
        Assert.Throws<ArgumentException>(() => new SftDataBuilder([0.5, 0.5], 1));
    }
}
