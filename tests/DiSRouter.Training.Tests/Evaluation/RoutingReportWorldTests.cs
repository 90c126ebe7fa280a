using DiSRouter.Training.Evaluation;
using DiSRouter.Training.SelfAwareness;
using DiSRouter.Training.Tests.SelfAwareness;

namespace DiSRouter.Training.Tests.Evaluation;

/// <summary>
/// The report's methods on a hand-made world where the right routing is known: "apple" questions the cheap agent answers
/// right, "zebra" questions only the dear one does (costs 0.1 and 0.9). At α = 0.5 an apple belongs to the cheap agent
/// (1 − 0.05 against 1 − 0.45) and a zebra to the dear one (0 − 0.05 against 1 − 0.45): the Oracle's routing, which a
/// method that learns the split from validation must match on test. The cheap agent's self-verification says yes on
/// apples and no on zebras, and its self-aware decision answers apples and declines zebras.
/// </summary>
public class RoutingReportWorldTests
{
    private static TrainingQuery Apple(string split, int i) => new($"{split}-a{i}", "apple", "1", "", $"apple orchard question {i} about red fruit", "red");

    private static TrainingQuery Zebra(string split, int i) => new($"{split}-z{i}", "zebra", "1", "", $"zebra savanna puzzle {i} with striped animals", "stripes");

    // With states: the cheap agent's hidden state where it decides is +1 on apples and −1 on zebras (what a probe reads).
    // With sftAnswersAll: the cheap agent's SFT checkpoint answers every query (zebras wrong), where its RL one declines zebras.
    // With capability: each base model's p(x) as sampled: the cheap one's 0.6 on apples (its greedy answer is still right) and 0 on
    // zebras, the dear one's 1 everywhere.
    // With blindGap: the cheap agent's logit gap is 0 on every query (its prompt pass tells apples from zebras no more).
    private static SetMeasurements World(string split, int each, bool states = false, bool sftAnswersAll = false, bool capability = false, bool blindGap = false)
    {
        var queries = Enumerable.Range(0, each).SelectMany(i => new[] { Apple(split, i), Zebra(split, i) }).ToList();
        bool IsApple(TrainingQuery q) => q.Family == "apple";
        MeasuredReply Reply(TrainingQuery q, bool right) => new(q.Id, right, right ? -0.1 : -0.2, 10, 5, right ? 1 : 2, "The final answer is: x.");
        Dictionary<double, MeasuredDecision[]> Decisions(Func<TrainingQuery, bool> answers, Func<TrainingQuery, bool> right) =>
            RoutingReportOptions.DefaultAlphas.ToDictionary(a => a, a => queries.Select(q =>
                new MeasuredDecision(q.Id, a, answers(q) ? 2 : -2, answers(q), 10, 1, true, right(q), 5, 1)).ToArray());
        var cheapDecisions = blindGap
            ? RoutingReportOptions.DefaultAlphas.ToDictionary(a => a, a => queries.Select(q => new MeasuredDecision(q.Id, a, 0, true, 10, 1, true, IsApple(q), 5, 1)).ToArray())
            : Decisions(IsApple, IsApple);
        var cheap = new AgentMeasurements("cheap", 0.1, queries.Select(q => Reply(q, IsApple(q))).ToArray(),
            queries.Select(q => new MeasuredVerification(q.Id, IsApple(q) ? 3 : -3, 20, 1)).ToArray(),
            cheapDecisions, sftAnswersAll ? Decisions(_ => true, IsApple) : new Dictionary<double, MeasuredDecision[]>(), null, null)
        {
            States = states ? RoutingReportOptions.Named.ToDictionary(a => a, a => queries.Select(q => new MeasuredState(q.Id, a, IsApple(q) ? 2 : -2, [IsApple(q) ? 1f : -1f], [0.5f])).ToArray())
                : new Dictionary<double, MeasuredState[]>(),
            Capability = capability ? queries.Select(q => new MeasuredCapability(q.Id, IsApple(q) ? 0.6 : 0, 10)).ToArray() : [],
        };
        var dear = new AgentMeasurements("dear", 0.9, queries.Select(q => Reply(q, true)).ToArray(), [],
            Decisions(_ => true, _ => true), sftAnswersAll ? Decisions(_ => true, _ => true) : new Dictionary<double, MeasuredDecision[]>(), null, null)
        {
            Capability = capability ? queries.Select(q => new MeasuredCapability(q.Id, 1, 10)).ToArray() : [],
        };
        return new SetMeasurements(new QuerySet(split, queries), [cheap, dear]);
    }

    private static RoutingReportResult Report() => new RoutingReport(new RoutingReportOptions
    {
        PoolDirectory = "unused", ModelsDirectory = "unused", CacheDirectory = "unused", BootstrapResamples = 100, TransformerEpochs = 12,
    }).Run([World(RoutingQuerySets.ValidationName, 100), World(RoutingQuerySets.TestName, 20), World(RoutingQuerySets.OutOfDomainName, 5), World(RoutingQuerySets.FreshName, 5)]);

    private static readonly Lazy<RoutingReportResult> Result = new(Report);

    // The same world with the cheap agent's states measured and a training split to fit its probe on (--probe).
    private static readonly Lazy<RoutingReportResult> Probed = new(() => new RoutingReport(new RoutingReportOptions
    {
        PoolDirectory = "unused", ModelsDirectory = "unused", CacheDirectory = "unused", BootstrapResamples = 100, TransformerEpochs = 12, Probe = true,
    }).Run([World(RoutingQuerySets.ValidationName, 100, states: true), World(RoutingQuerySets.TestName, 20, states: true), World(RoutingQuerySets.OutOfDomainName, 5, states: true),
        World(RoutingQuerySets.FreshName, 5, states: true), World(RoutingQuerySets.TrainName, 50, states: true)]));

    // The world where the cheap agent's gap is 0 on every query and it answers every one (blindGap).
    private static readonly Lazy<RoutingReportResult> Blind = new(() => new RoutingReport(new RoutingReportOptions
    {
        PoolDirectory = "unused", ModelsDirectory = "unused", CacheDirectory = "unused", BootstrapResamples = 100, TransformerEpochs = 12,
    }).Run([World(RoutingQuerySets.ValidationName, 100, blindGap: true), World(RoutingQuerySets.TestName, 20, blindGap: true),
        World(RoutingQuerySets.OutOfDomainName, 5, blindGap: true), World(RoutingQuerySets.FreshName, 5, blindGap: true)]));

    private static MethodRow Row(string method, double alpha = 0.5) =>
        Result.Value.Rows.Single(r => r.Split == RoutingQuerySets.TestName && r.Subset == RoutingReport.AllAgents && r.Method == method && r.Alpha == alpha);

    [Theory]
    [InlineData(RoutingReport.AutoMix)]
    [InlineData(RoutingReport.AutoMixVerdict)]
    public void TheAutoMixCascadeStopsWhereTheVerifierSaysYesAndEscalatesTheRest(string method)
    {
        // Apples stop at the cheap agent (cost 0.1), zebras are answered by both (0.1 + 0.9): accuracy 1, mean cost 0.55.
        var row = Row(method);
        Assert.Equal(1.0, row.Accuracy, 9);
        Assert.Equal(0.55, row.Cost, 9);
        Assert.Equal(new[] { 0.5, 0.5 }, row.RoutingShare);
    }

    [Theory]
    [InlineData(RoutingReport.Transformer)]
    [InlineData(RoutingReport.Logistic)]
    [InlineData(RoutingReport.Mf)]
    [InlineData(RoutingReport.Knn)]
    public void ACentralRouterTrainedOnValidationRoutesLikeTheOracle(string method)
    {
        var oracle = Row(RoutingReport.Oracle);
        var row = Row(method);
        Assert.Equal(oracle.Utility, row.Utility, 9);
        Assert.Equal(oracle.RoutingShare, row.RoutingShare);
    }

    [Fact]
    public void TheTransformerRouterIsRetrainedPerSeedAndItsEpochsAreChosenOnValidation()
    {
        Assert.Contains(Result.Value.SeedSpread, s => s.Method == RoutingReport.Transformer && s.Alpha == 0.5);
        Assert.Matches("^[0-9]+ epochs", Result.Value.Tuned[RoutingReport.Transformer]);
    }

    [Fact]
    public void SelfAssessedBidsSendApplesToTheCheapAgentAndZebrasToTheDearOneAtEveryAlphaOfTheSweep()
    {
        // Each agent's bid is its own gap made a probability on its own validation answers: the cheap one learns that its
        // +2 means right and its −2 wrong, the dear one that it is always right; the pick p − α·c then routes like the Oracle.
        foreach (var alpha in RoutingReportOptions.Named)
            Assert.Equal(Row(RoutingReport.Oracle, alpha).Utility, Row(RoutingReport.DiSRouterBids, alpha).Utility, 6);
        Assert.Equal(new[] { 0.5, 0.5 }, Row(RoutingReport.DiSRouterBids).RoutingShare);
        // One prompt pass under one prompt stands for every α, so the bids have a curve over the whole sweep.
        var curve = Result.Value.Curves.Single(c => c.Method == RoutingReport.DiSRouterBids && c.Split == RoutingQuerySets.TestName && c.Subset == RoutingReport.AllAgents);
        Assert.Equal(RoutingReportOptions.DefaultAlphas.Length, curve.Points.Count);
        Assert.Contains(Result.Value.Methods, m => m.Method == RoutingReport.DiSRouterBids && m.TrainedOn.Contains("own validation answers", StringComparison.Ordinal));
    }

    [Fact]
    public void BidsThatReadTheAgentsOwnRecordOfSuchQueriesRouteLikeTheOracleWhenItsGapCannotTellThem()
    {
        // The cheap agent's gap is 0 everywhere: its gap-only bid is one number for apples and zebras alike. Its own
        // validation record says it is right on "apple orchard" wording and wrong on "zebra savanna": the text head learns that.
        var report = Blind.Value;
        MethodRow At(string method) => report.Rows.Single(r => r.Split == RoutingQuerySets.TestName && r.Subset == RoutingReport.AllAgents && r.Method == method && r.Alpha == 0.5);
        Assert.Equal(At(RoutingReport.Oracle).Utility, At(RoutingReport.DiSRouterBidsText).Utility, 9);
        Assert.Equal(new[] { 0.5, 0.5 }, At(RoutingReport.DiSRouterBidsText).RoutingShare);
        Assert.True(At(RoutingReport.DiSRouterBids).Utility < At(RoutingReport.Oracle).Utility - 0.1, "the gap alone cannot split apples from zebras");
        Assert.Contains(report.Versus, v => v.Method == RoutingReport.DiSRouterBidsText && v.Baseline == RoutingReport.Mf);
        // In the world where the gap does tell them, the joined bid routes like the Oracle too.
        Assert.Equal(Row(RoutingReport.Oracle).Utility, Row(RoutingReport.DiSRouterBidsText).Utility, 9);
    }

    [Fact]
    public void TheServedRuleIsChosenOnValidationWhereTheAuctionOutbidsACheapAgentThatAnswersEverything()
    {
        // The cheap agent cannot tell apples from zebras and answers both: the cascade keeps every query there (half right).
        // Its bid is its share right on the other folds' queries, about 0.5; the dear agent's is 1. At α = 0.2 and 0.5 the
        // dear agent wins every auction (1 − 0.18 against 0.5 − 0.02; 1 − 0.45 against 0.5 − 0.05); at 0.8 the cheap one
        // does (0.5 − 0.08 against 1 − 0.72), as in the cascade.
        var rows = Blind.Value.ServedRule;
        Assert.Equal(RoutingReportOptions.Named, rows.Select(x => x.Alpha));
        var expected = new[] { (0.48, 0.82, "win"), (0.45, 0.55, "win"), (0.42, 0.42, "tie") };
        foreach (var (row, (cascade, auction, verdict)) in rows.Zip(expected))
        {
            Assert.Equal((cascade, auction, verdict), (Math.Round(row.CascadeValidation, 9), Math.Round(row.AuctionValidation, 9), row.AuctionOverCascade.Verdict));
            Assert.Equal((cascade, auction), (Math.Round(row.CascadeTest, 9), Math.Round(row.AuctionTest, 9)));
        }
        Assert.Contains("Higher mean validation utility over the named α: **the auction**.", RoutingMarkdown.Write(Blind.Value, "report routing --validation-decisions", []));
        // Where the cheap agent's gap tells apples from zebras, both rules route like the Oracle: no reason to leave the cascade.
        Assert.All(Result.Value.ServedRule, x => Assert.Equal(x.CascadeValidation, x.AuctionValidation, 9));
        Assert.Contains("Higher mean validation utility over the named α: **the threshold cascade**.", RoutingMarkdown.Write(Result.Value, "report routing --validation-decisions", []));
    }

    [Fact]
    public void ServedAnswersGradeTheRoutersAndTheOracleOnWhatTheServedAgentsAnswer()
    {
        // Training made the cheap agent right on zebras too (its served answers under the bid prompt), where its base model
        // was wrong on them. Graded on the served answers, every query belongs to the cheap agent: the Oracle and a router
        // fitted on those grades send it everything, and the bids (which always read the served answers) match them.
        SetMeasurements Trained(SetMeasurements set) => set with
        {
            Agents = [set.Agents[0] with { Rl = set.Agents[0].Rl.ToDictionary(d => d.Key, d => d.Value.Select(x => x with { Correct = true, LogitGap = 2 }).ToArray()) }, set.Agents[1]],
        };
        var sets = new[] { World(RoutingQuerySets.ValidationName, 100), World(RoutingQuerySets.TestName, 20), World(RoutingQuerySets.OutOfDomainName, 5), World(RoutingQuerySets.FreshName, 5) }
            .Select(Trained).ToList();
        var served = RoutingReport.ServedAsBase(sets);
        foreach (var (before, after) in sets.Zip(served))
            for (int k = 0; k < 2; k++)
            {
                Assert.Equal(before.Agents[k].Rl[RoutingReport.BidAlpha].Select(d => d.Correct), after.Agents[k].Base.Select(r => r.Correct));
                Assert.Equal(before.Agents[k].Base.Select(r => r.ModelMs), after.Agents[k].Base.Select(r => r.ModelMs));
            }
        var result = new RoutingReport(new RoutingReportOptions
        {
            PoolDirectory = "unused", ModelsDirectory = "unused", CacheDirectory = "unused", BootstrapResamples = 100, TransformerEpochs = 12, ValidationDecisions = true, ServedAnswers = true,
        }).Run(served);
        MethodRow At(string method) => result.Rows.Single(r => r.Split == RoutingQuerySets.TestName && r.Subset == RoutingReport.AllAgents && r.Method == method && r.Alpha == 0.5);
        Assert.Equal(1 - 0.05, At(RoutingReport.Oracle).Utility, 9);
        Assert.Equal(new[] { 1.0, 0.0 }, At(RoutingReport.Mf).RoutingShare);
        Assert.Equal(At(RoutingReport.Oracle).Utility, At(RoutingReport.DiSRouterBids).Utility, 6);
        Assert.Contains("**Graded on the served agents' own answers (`--served-answers`):**", RoutingMarkdown.Write(result, "report routing --served-answers", []));
        // Graded on the base models' answers instead, the same bids look better than the Oracle: the gain is the agent's, not the routing's.
        var unfair = new RoutingReport(new RoutingReportOptions
        {
            PoolDirectory = "unused", ModelsDirectory = "unused", CacheDirectory = "unused", BootstrapResamples = 100, TransformerEpochs = 12,
        }).Run(sets);
        Assert.True(unfair.Rows.Single(r => r.Split == RoutingQuerySets.TestName && r.Subset == RoutingReport.AllAgents && r.Method == RoutingReport.DiSRouterBids && r.Alpha == 0.5).OracleShare > 1);
    }

    [Fact]
    public void AnOutOfFoldBidComesFromTheOtherFoldsAnswersOnly()
    {
        // The cheap agent's gap is 0 everywhere and it is right on exactly the first fold's queries. Fitted on all of
        // validation its bid would be one number, that fold's share; fitted on the other folds, a first-fold query is bid
        // near 0 (the others never saw it right) and any other query near a quarter (one fold of the four it was fitted on).
        var set = World(RoutingQuerySets.ValidationName, 100, blindGap: true);
        var cheap = set.Agents[0];
        var rightInFirstFold = cheap.Rl.ToDictionary(d => d.Key, d => d.Value.Select((x, i) => x with { Correct = BidScales.FoldOf(i) == 0 }).ToArray());
        var bids = BidScales.OutOfFold(set with { Agents = [cheap with { Rl = rightInFirstFold }, set.Agents[1]] })!;
        for (int i = 0; i < set.Set.Queries.Count; i++)
            if (BidScales.FoldOf(i) == 0) Assert.True(bids[0][i] < 0.05, $"query {i}: {bids[0][i]}");
            else Assert.InRange(bids[0][i], 0.15, 0.35);
        Assert.All(bids[1], b => Assert.True(b > 0.9, $"{b}"));
    }

    [Fact]
    public void TheAuctionAskedCheapestFirstPicksWhatTheBidsPickAtEveryAlphaOfTheSweep()
    {
        var rows = Result.Value.Rows.Where(r => r.Split == RoutingQuerySets.TestName && r.Subset == RoutingReport.AllAgents).ToList();
        foreach (var alpha in RoutingReportOptions.Named)
        {
            var bids = rows.Single(r => r.Method == RoutingReport.DiSRouterBids && r.Alpha == alpha);
            var auction = rows.Single(r => r.Method == RoutingReport.DiSRouterAuction && r.Alpha == alpha);
            Assert.Equal(bids.Utility, auction.Utility, 12);
            Assert.Equal(bids.RoutingShare, auction.RoutingShare);
        }
        var bidsCurve = Result.Value.Curves.Single(c => c.Method == RoutingReport.DiSRouterBids && c.Split == RoutingQuerySets.TestName && c.Subset == RoutingReport.AllAgents);
        var auctionCurve = Result.Value.Curves.Single(c => c.Method == RoutingReport.DiSRouterAuction && c.Split == RoutingQuerySets.TestName && c.Subset == RoutingReport.AllAgents);
        Assert.Equal(bidsCurve.Points, auctionCurve.Points);
    }

    [Fact]
    public void AgentsBiddingTheirPxRouteByItAndAreGradedByTheirServedAnswers()
    {
        var report = new RoutingReport(new RoutingReportOptions
        {
            PoolDirectory = "unused", ModelsDirectory = "unused", CacheDirectory = "unused", BootstrapResamples = 100, TransformerEpochs = 12, CapabilitySamples = 10,
        }).Run([World(RoutingQuerySets.ValidationName, 100), World(RoutingQuerySets.TestName, 20, capability: true), World(RoutingQuerySets.OutOfDomainName, 5),
            World(RoutingQuerySets.FreshName, 5)]);
        MethodRow At(string method, double alpha) => report.Rows.Single(r => r.Split == RoutingQuerySets.TestName && r.Subset == RoutingReport.AllAgents && r.Method == method && r.Alpha == alpha);
        // α = 0.2: an apple is worth 0.6 − 0.02 to the cheap agent and 1 − 0.18 to the dear one, so everything goes dear.
        Assert.Equal(new[] { 0.0, 1.0 }, At(RoutingReport.PxBids, 0.2).RoutingShare);
        Assert.Equal(1 - 0.2 * 0.9, At(RoutingReport.PxBids, 0.2).Utility, 9);
        // α = 0.8: 0.6 − 0.08 beats 1 − 0.72, so apples go cheap, and the cheap agent's served answers to them are right: the Oracle.
        Assert.Equal(At(RoutingReport.Oracle, 0.8).Utility, At(RoutingReport.PxBids, 0.8).Utility, 9);
        // Only the test split was sampled; the bound is held against the strong baselines there, and is never a method in the verdict.
        Assert.DoesNotContain(report.Rows, r => r.Method == RoutingReport.PxBids && r.Split != RoutingQuerySets.TestName);
        Assert.Contains(report.Versus, v => v.Method == RoutingReport.PxBids && v.Baseline == RoutingReport.Mf);
        Assert.Contains(report.Methods, m => m.Method == RoutingReport.PxBids && m.Kind.StartsWith("bound", StringComparison.Ordinal));
        Assert.DoesNotContain(Result.Value.Rows, r => r.Method == RoutingReport.PxBids);
    }

    [Fact]
    public void TheSelfAwareCascadeAnswersApplesCheaplyAndPassesZebrasOn()
    {
        var oracle = Row(RoutingReport.Oracle);
        Assert.Equal(oracle.Utility, Row(RoutingReport.DiSRouterGreedy).Utility, 9);
    }

    [Theory]
    [InlineData(RoutingReport.DiSRouterNetwork)]
    [InlineData(RoutingReport.DiSRouterNetworkTwoSided)]
    public void TheCascadeTunedCutsRouteLikeTheOracleAndHaveNoSweep(string method)
    {
        foreach (var alpha in RoutingReportOptions.Named)
            Assert.Equal(Row(RoutingReport.Oracle, alpha).Utility, Row(method, alpha).Utility, 9);
        Assert.DoesNotContain(Result.Value.Curves, c => c.Method == method);
        Assert.Contains(Result.Value.Methods, m => m.Method == method && m.TrainedOn.Contains("validation", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(RoutingReport.DiSRouterProbe)]
    [InlineData(RoutingReport.DiSRouterProbeNetwork)]
    [InlineData(RoutingReport.DiSRouterProbePooled)]
    [InlineData(RoutingReport.DiSRouterProbePooledNetwork)]
    [InlineData(RoutingReport.DiSRouterBidsProbe)]
    public void AProbeOfTheCheapAgentsOwnStateRoutesLikeTheOracle(string method)
    {
        var oracle = Probed.Value.Rows.Single(r => r.Split == RoutingQuerySets.TestName && r.Subset == RoutingReport.AllAgents && r.Method == RoutingReport.Oracle && r.Alpha == 0.5);
        var row = Probed.Value.Rows.Single(r => r.Split == RoutingQuerySets.TestName && r.Subset == RoutingReport.AllAgents && r.Method == method && r.Alpha == 0.5);
        Assert.Equal(oracle.Utility, row.Utility, 9);
        // One probe per feature set, each of the cheap agent (the last one decides nothing).
        Assert.Equal(RoutingReport.ProbeFeatures.Select(f => f.Features), Probed.Value.Probes.Select(p => p.Features));
        foreach (var probe in Probed.Value.Probes)
        {
            Assert.Equal("cheap", probe.Agent);
            Assert.Equal(100 * 3, probe.TrainRows); // 50 apples and 50 zebras, one state per named α
            Assert.All(probe.ProbeAucTest, auc => Assert.Equal(1.0, auc, 9));
        }
        Assert.Equal([1, 2], Probed.Value.Probes.Select(p => p.Dimensions)); // the pooled probe reads the mean state beside the last
    }

    [Fact]
    public void WithoutValidationDecisionsOrTrainingQueriesTheExtraRowsAreLeftOut()
    {
        Assert.Empty(Result.Value.Probes);
        Assert.DoesNotContain(Result.Value.Rows, r => r.Method == RoutingReport.DiSRouterProbe);
    }

    [Fact]
    public void EachTrainingSeedsCascadeIsGradedOnTestWithItsOwnTunedCuts()
    {
        var options = new RoutingReportOptions { PoolDirectory = "unused", ModelsDirectory = "seed-1", CacheDirectory = "unused", BootstrapResamples = 100, TransformerEpochs = 2 };
        var result = new RoutingReport(options).Run([World(RoutingQuerySets.ValidationName, 40), World(RoutingQuerySets.TestName, 10), World(RoutingQuerySets.OutOfDomainName, 2),
            World(RoutingQuerySets.FreshName, 2)], [("seed-2", [World(RoutingQuerySets.ValidationName, 40), World(RoutingQuerySets.TestName, 10)])]);

        Assert.Equal(["seed-1", "seed-2"], result.TrainingSeeds.Select(s => s.Seed).Distinct());
        var oracle = result.Rows.Single(r => r.Split == RoutingQuerySets.TestName && r.Subset == RoutingReport.AllAgents && r.Method == RoutingReport.Oracle && r.Alpha == 0.5).Utility;
        foreach (var method in new[] { RoutingReport.DiSRouter, RoutingReport.DiSRouterGreedy, RoutingReport.DiSRouterNetwork, RoutingReport.DiSRouterNetworkTwoSided })
            Assert.All(result.TrainingSeeds.Where(s => s.Method == method && s.Alpha == 0.5), s => Assert.Equal(oracle, s.Utility, 9));
    }

    [Fact]
    public void SeedTableSetsEachSeedsSftCascadeBesideItsRlOneAndSaysWhetherRlEarnsItsPlace()
    {
        var options = new RoutingReportOptions { PoolDirectory = "unused", ModelsDirectory = "seed-1", CacheDirectory = "unused", BootstrapResamples = 100, TransformerEpochs = 2 };
        var result = new RoutingReport(options).Run([World(RoutingQuerySets.ValidationName, 40, sftAnswersAll: true), World(RoutingQuerySets.TestName, 10, sftAnswersAll: true),
            World(RoutingQuerySets.OutOfDomainName, 2), World(RoutingQuerySets.FreshName, 2)],
            [("seed-2", [World(RoutingQuerySets.ValidationName, 40, sftAnswersAll: true), World(RoutingQuerySets.TestName, 10, sftAnswersAll: true)])]);

        // At α = 0.5 the SFT cascade's cheap agent answers the zebras wrong (0 − 0.05 each) where the RL one passes them on
        // to the dear agent (1 − 0.45 = 0.55): half the queries gain 0.6, so RL leads by 0.3 in both seeds.
        foreach (var seed in new[] { "seed-1", "seed-2" })
        {
            double U(string method) => result.TrainingSeeds.Single(s => s.Seed == seed && s.Method == method && s.Alpha == 0.5).Utility;
            Assert.Equal(0.3, U(RoutingReport.DiSRouterGreedy) - U(RoutingReport.DiSRouterSftGreedy), 9);
        }
        // The bids too: the SFT checkpoints' gap (+2 on every query) tells apples from zebras not at all, so each cheap bid is
        // 0.5 and every query goes to the dear agent (1 − 0.45); the served ones' bids route like the Oracle (0.75 at α = 0.5).
        var bidsSft = result.Rows.Single(r => r.Split == RoutingQuerySets.TestName && r.Subset == RoutingReport.AllAgents && r.Method == RoutingReport.DiSRouterBidsSft && r.Alpha == 0.5);
        Assert.Equal(0.55, bidsSft.Utility, 9);
        var rlAgainstSft = result.Versus.Single(v => v.Method == RoutingReport.DiSRouterBids && v.Baseline == RoutingReport.DiSRouterBidsSft
            && v.Split == RoutingQuerySets.TestName && v.Subset == RoutingReport.AllAgents && v.Alpha == 0.5);
        Assert.Equal(0.2, rlAgainstSft.Difference.Mean, 9);
        var markdown = RoutingMarkdown.Write(result, "report routing --sft --seed-models seed-2", []);
        Assert.Contains("| disrouter-sft-greedy | 0.5 |", markdown);
        Assert.Contains("SFT+RL minus SFT alone, greedy decisions, per seed (2 seeds): α = 0.2:", markdown);
        Assert.Contains("α = 0.5: +0.300 / +0.300 (RL ahead in every seed)", markdown);
        // Each seed's bids beside its SFT checkpoints' bids, and the seeds pooled query by query: apples gain 0.95 − 0.55 with
        // RL, zebras nothing, so +0.2 with an interval above zero.
        Assert.Contains("SFT+RL minus SFT alone, the bids (the auction's pick), per seed (2 seeds): α = 0.2:", markdown);
        var pooled = result.PooledRlOverSft.Single(p => p.Rule.StartsWith("the bids", StringComparison.Ordinal) && p.Alpha == 0.5);
        Assert.Equal((2, 0.2, "win"), (pooled.Seeds, Math.Round(pooled.Difference.Mean, 9), pooled.Difference.Verdict));
        Assert.Contains("Pooled over the 2 seeds (per test query the seeds' mean, paired bootstrap over queries): α = 0.2:", markdown);
    }

    [Fact]
    public void AgentsThatKnowWhetherTheirOwnAnswerIsRightBoundTheCascadeAtTheOracle()
    {
        // Here every agent's own answer is right where the Oracle's is: the bound meets it, at the named α only.
        foreach (var alpha in RoutingReportOptions.Named)
            Assert.Equal(Row(RoutingReport.Oracle, alpha).Utility, Row(RoutingReport.OwnAnswerBound, alpha).Utility, 9);
        Assert.DoesNotContain(Result.Value.Rows, r => r.Method == RoutingReport.OwnAnswerBound && !RoutingReportOptions.Named.Contains(r.Alpha));
    }
    [Fact]
    public void EveryCalibrationGammaRecalibratesTheCascadeOnValidationAndTheSweepSaysWhichWins()
    {
        var sweep = Result.Value.GammaSweep;
        Assert.Equal(RoutingReport.GammaGrid.Length * RoutingReportOptions.Named.Length, sweep.Count);
        // The cheap agent's gap is +2 on its right answers and −2 on its wrong ones: with any γ its own reward answers the
        // apples and declines the zebras, which is the Oracle's routing on both splits.
        foreach (var (gamma, alpha, validation, test) in sweep)
        {
            Assert.Equal(Row(RoutingReport.Oracle, alpha).Utility, test, 9);
            Assert.Equal(test, validation, 9);
        }
        // γ = 0.5 is calibrate's own rule: the recalibration's draw 0.
        foreach (var alpha in RoutingReportOptions.Named)
            Assert.Equal(Result.Value.Recalibration.Single(r => r.Draw == 0 && r.Alpha == alpha).Utility, sweep.Single(x => x.Gamma == 0.5 && x.Alpha == alpha).Test, 9);
        var markdown = RoutingMarkdown.Write(Result.Value, "report routing --validation-decisions", []);
        Assert.Contains("| γ | validation α=0.2 | 0.5 | 0.8 | mean | test α=0.2 | 0.5 | 0.8 |", markdown);
        Assert.Contains("| **0.125** |", markdown); // all tie: the first γ of the grid is the one named
    }
}
