using System.Text.Json;
using DiSRouter.Core.Tasks;
using DiSRouter.Training.SelfAwareness;

namespace DiSRouter.Training.Tests.SelfAwareness;

public sealed class SelfAwareReportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("disrouter-report-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // Four queries that any answer gets right and four that no answer does: every base model (even an untrained one,
    // which always answers something) is right on exactly half, the same half.
    private static readonly TrainingQuery[] Queries = Enumerable.Range(0, 8)
        .Select(i => TinyWorld.Query($"q{i}", "Pick 1 or 2.", i < 4 ? "any" : "none")).ToArray();

    private sealed class HalfGrader : IReplyGrader
    {
        public GradedReply Grade(TrainingQuery query, string reply) =>
            reply.TrimStart().StartsWith("I don't know", StringComparison.OrdinalIgnoreCase) ? new(ResponseOutcome.Rejected, null)
            : new(query.Reference == "any" ? ResponseOutcome.Correct : ResponseOutcome.Wrong, reply);
    }

    private SelfAwareReportResult Run(double? calibratedThreshold = null)
    {
        // Cheap agent: trained to decline everything. Expensive agent: untrained, no self-aware checkpoint (always answers).
        var cheapBase = TinyWorld.SaveRandomModel(Path.Combine(_dir, "cheap-base"), seed: 1);
        var cheapSft = TinyWorld.SaveConstantReplier(Path.Combine(_dir, "cheap-sft"), ["Pick 1 or 2."], "I don't know!");
        if (calibratedThreshold is { } threshold)
            new Models.Checkpoints.DecisionThresholds
            {
                AnswerText = AnswerTemplate.Opening, RejectText = "I don't know!",
                WeightsSha256 = Models.Checkpoints.WeightsFingerprint.Of(Models.Checkpoints.Checkpoint.Load(cheapSft).Model),
                Points = [new Models.Checkpoints.DecisionPoint(0.2, threshold), new Models.Checkpoints.DecisionPoint(0.8, threshold)],
            }.Write(cheapSft);
        var dearBase = TinyWorld.SaveRandomModel(Path.Combine(_dir, "dear-base"), seed: 2);
        AgentCheckpoints[] agents =
        [
            new("cheap", 0.1, cheapBase, cheapSft, null, MaxNewTokens: 16),
            new("dear", 0.9, dearBase, null, null, MaxNewTokens: 16),
        ];
        var sut = new SelfAwareReport(new HalfGrader(), new SelfAwareReportOptions { DeltaQueries = 8, DeltaSamples = 2, Parallelism = 2 });
        return sut.Run(agents, Queries);
    }

    [Fact]
    public void TheFiguresFollowFromTheAgentsDecisionsAndTheCascadeArithmetic()
    {
        var r = Run();

        Assert.Equal([0.5, 0.5], r.BaseAccuracy);
        // The cheap agent declines everything in every scenario.
        Assert.Equal([0.0, 0.0, 0.0], r.AnswerRates.Where(x => x.Agent == "cheap").Select(x => x.Value));
        Assert.DoesNotContain(r.AnswerRates, x => x.Agent == "dear");
        var avr = r.AnsweredVsRejected.First(x => x.Alpha == 0.2);
        Assert.Equal((0, 8, 0.5), (avr.Answered, avr.Rejected, avr.BaseAccuracyRejected));
        // Balanced: 4 items it would get right, 4 it would not; it answers none → accuracy 0.5, F1 0.
        var assess = Assert.Single(r.Assessments);
        Assert.Equal((8, 0.5, 0.0), (assess.Items, assess.Accuracy, assess.F1));

        foreach (var alpha in new[] { 0.2, 0.5, 0.8 })
        {
            UtilityRow U(string m) => r.Utilities.Single(u => u.Method == m && u.Alpha == alpha);
            Assert.Equal(0.5, U("smallest").Accuracy, 12);
            Assert.Equal(0.1, U("smallest").Cost, 12);
            Assert.Equal(0.5, U("largest").Accuracy, 12);
            Assert.Equal(0.9, U("largest").Cost, 12);
            // Oracle: q0–q3 to the cheap agent (right), q4–q7 nobody gets right → charged to the largest.
            Assert.Equal(0.5, U("oracle").Accuracy);
            Assert.Equal(0.5, U("oracle").Cost, 12);
            // DiSRouter: the cheap agent declines everything, the dear one answers everything.
            Assert.Equal(0.5, U("disrouter-sft").Accuracy, 12);
            Assert.Equal(0.9, U("disrouter-sft").Cost, 12);
            Assert.Equal(0.5 - alpha * 0.9, U("disrouter-sft").Utility, 12);
            Assert.Equal([0.0, 1.0], U("disrouter-sft").RoutingShare);
            // Knowing p(x) exactly (1 on q0–q3, 0 on q4–q7), either rule routes as the Oracle does.
            foreach (var ideal in SelfAwareReport.IdealMethods)
            {
                Assert.Equal(0.5, U(ideal).Accuracy, 12);
                Assert.Equal(0.5, U(ideal).Cost, 12);
                Assert.Equal([0.5, 0.5], U(ideal).RoutingShare);
            }
            // The cheap agent alone knowing its p(x) turns the trained cascade into the Oracle's routing; the last agent has no row.
            Assert.Equal((0.5, 0.5), (U("ideal:cheap").Accuracy, Math.Round(U("ideal:cheap").Cost, 12)));
            Assert.Equal([0.5, 0.5], U("ideal:cheap").RoutingShare);
            Assert.DoesNotContain(r.Utilities, u => u.Method == "ideal:dear");
        }
        Assert.DoesNotContain(r.Utilities, u => u.Method == "disrouter-rl");

        // Made to answer, the cheap agent still "solves" exactly q0–q3, as its base model does: nothing gained or lost.
        var delta = Assert.Single(r.Deltas, d => d.Variant == SelfAwareReport.SftVariant);
        Assert.Equal((8, 4, 0, 0, 0.0), (delta.Queries, delta.BaseSolved, delta.Gained, delta.Lost, delta.Delta));
        // Each base model drawn again (another seed) is the sampling floor: these models always solve the same queries.
        Assert.Equal(["cheap", "dear"], r.Deltas.Where(d => d.Variant == SelfAwareReport.BaseRedrawVariant).Select(d => d.Agent));
        Assert.All(r.Deltas.Where(d => d.Variant == SelfAwareReport.BaseRedrawVariant), d => Assert.Equal((0, 0), (d.Gained, d.Lost)));
    }

    [Fact]
    public void CalibratedCheckpointsDecideByTheirThresholdsWithTheGreedyDecisionsBeside()
    {
        // The cheap agent declines everything by its first token; a threshold below any gap makes it answer everything.
        var r = Run(calibratedThreshold: -1000);

        Assert.Equal(["cheap (sft)"], r.Calibrated);
        Assert.All(r.AnswerRates.Where(x => x.Agent == "cheap"), x => Assert.Equal(1.0, x.Value));
        foreach (var alpha in new[] { 0.2, 0.5, 0.8 })
        {
            var served = r.Utilities.Single(u => u.Method == "disrouter-sft" && u.Alpha == alpha);
            var greedy = r.Utilities.Single(u => u.Method == "disrouter-sft" + SelfAwareReport.GreedySuffix && u.Alpha == alpha);
            Assert.Equal([1.0, 0.0], served.RoutingShare); // answered where it stands: q0–q3 right, q4–q7 wrong
            Assert.Equal((0.5, 0.1), (served.Accuracy, Math.Round(served.Cost, 12)));
            Assert.Equal([0.0, 1.0], greedy.RoutingShare);
        }
        var q0 = r.PerQuery[0].Agents[0].Sft!;
        Assert.Equal([true, true, true], q0.Answered);
        Assert.Equal([false, false, false], q0.GreedyAnswered);
        Assert.All(q0.LogitGap, g => Assert.True(g < 0)); // the rejection's first token is the likelier one
        Assert.Contains("`-greedy` rows", SelfAwareMarkdown.Write(r, "report selfaware", "test", new Dictionary<string, IReadOnlyList<StageReport>>()));
    }

    [Fact]
    public void EveryQueryRecordsEachAgentsCorrectnessCapabilityAndDecisions()
    {
        var r = Run();

        Assert.Equal(Queries.Select(q => q.Id), r.PerQuery.Select(q => q.Query));
        foreach (var (q, i) in r.PerQuery.Select((q, i) => (q, i)))
        {
            Assert.Equal([0.2, 0.5, 0.8], q.Alphas);
            Assert.Equal(["cheap", "dear"], q.Agents.Select(a => a.Agent));
            var (cheap, dear) = (q.Agents[0], q.Agents[1]);
            Assert.Equal((i < 4, i < 4), (cheap.BaseCorrect, dear.BaseCorrect));
            Assert.Equal(i < 4 ? 1.0 : 0.0, cheap.Capability);
            Assert.Equal([false, false, false], cheap.Sft!.Answered); // the cheap agent declines everything
            Assert.Null(cheap.Rl);
            Assert.Null(dear.Sft); // untrained: it takes part as its base model
        }
        // Written as JSON lines that read back whole.
        var path = Path.Combine(_dir, "decisions.jsonl");
        JsonlFile.WriteAll(path, r.PerQuery);
        var first = JsonDocument.Parse(File.ReadLines(path).First()).RootElement;
        Assert.Equal("q0", first.GetProperty("query").GetString());
        Assert.True(first.GetProperty("agents")[0].GetProperty("base_correct").GetBoolean());
        Assert.False(first.GetProperty("agents")[1].TryGetProperty("sft", out var sft) && sft.ValueKind != JsonValueKind.Null); // no SFT checkpoint
        Assert.Equal(3, first.GetProperty("agents")[0].GetProperty("sft").GetProperty("answered").GetArrayLength());
    }

    [Fact]
    public void GreedyDeltaComparesTheForcedGreedyAnswersWithTheBaseModelsOnEveryQuery()
    {
        var r = Run();

        // The cheap agent declines everything; made to answer, any reply is right on q0–q3 as its base model's is.
        var d = Assert.Single(r.GreedyDeltas);
        Assert.Equal(("cheap", "sft", 0.8), (d.Agent, d.Variant, d.Alpha));
        Assert.Equal((8, 4, 4, 0, 0), (d.Queries, d.BaseSolved, d.Solved, d.Gained, d.Lost));
        Assert.Equal((0.0, 0.0), (d.LostShare, d.GainedShare));
        Assert.Equal(0.0, d.NetShare);
        Assert.Contains(SelfAwareMarkdown.Checks(r), c => c.StartsWith("PASS greedy right answers of cheap (sft)", StringComparison.Ordinal));
    }

    [Fact]
    public void GreedyDeltaNamesTheFamilyThatLostMost()
    {
        var row = new GreedyDeltaRow("a", "rl", 0.8, 10, 8, 5, 1, 4, "multiple-choice", 4, 4);
        Assert.Equal((0.5, 0.125, 1.0, -0.375), (row.LostShare, row.GainedShare, row.WorstFamilyLostShare, row.NetShare));
    }

    [Fact]
    public void SampledDeltaIsCheckedAgainstItsBaseModelsRedraw()
    {
        var r = Run();
        // Gained 12 of 100 where drawing the base model again gains 10: 2 points over the floor, within 5. Gained 20: 10 over.
        var floor = new DeltaRow("cheap", SelfAwareReport.BaseRedrawVariant, 120, 100, 10, 8);
        var within = r with { Deltas = [floor, new DeltaRow("cheap", SelfAwareReport.SftVariant, 120, 100, 12, 9)] };
        var beyond = r with { Deltas = [floor, new DeltaRow("cheap", SelfAwareReport.SftVariant, 120, 100, 20, 9)] };

        Assert.Contains(SelfAwareMarkdown.Checks(within), c => c == "PASS ΔPerformance of cheap (sft): 12.0 % gained, 9.0 % lost over 100 base-solved " +
            "queries, +2.0 points against the base model drawn again (10.0 % / 8.0 %; at most 5 points)");
        Assert.Contains(SelfAwareMarkdown.Checks(beyond), c => c.StartsWith("FAIL ΔPerformance of cheap (sft): 20.0 % gained", StringComparison.Ordinal));
        Assert.DoesNotContain(SelfAwareMarkdown.Checks(within), c => c.Contains("(" + SelfAwareReport.BaseRedrawVariant + ")", StringComparison.Ordinal));
    }

    [Fact]
    public void JsonLinesHaveExactlyTheAgreedFieldsInCascadeOrder()
    {
        var lines = SelfAwareJson.Lines(Run()).Select(l => JsonSerializer.Serialize(l, l.GetType())).ToList();

        Assert.Equal(3 + 1 + 3 * 5, lines.Count);
        Assert.Equal("{\"kind\":\"answer_rate\",\"agent\":\"cheap\",\"alpha\":0.2,\"value\":0}", lines[0]);
        Assert.Equal("{\"kind\":\"self_assessment\",\"agent\":\"cheap\",\"accuracy\":0.5,\"f1\":0}", lines[3]);
        Assert.Equal("{\"kind\":\"utility\",\"method\":\"smallest\",\"alpha\":0.2,\"accuracy\":0.5,\"cost\":0.1,\"utility\":0.48}", lines[4]);
        Assert.Equal(["smallest", "largest", "random", "oracle", "disrouter-sft"],
            lines.Skip(4).Take(5).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("method").GetString()));
    }

    [Fact]
    public void TheMarkdownStatesEveryCheckWithItsVerdict()
    {
        var r = Run();
        var md = SelfAwareMarkdown.Write(r, "report selfaware", "test", new Dictionary<string, IReadOnlyList<StageReport>>());
        Assert.Contains("PASS answer rate of cheap (sft) rises with α: 0.0 % → 0.0 % → 0.0 %", md);
        Assert.Contains("FAIL disrouter-sft beats smallest, largest and random in utility at α=0.20", md);
        Assert.Contains("| disrouter-sft |", md);
        Assert.Contains("## ΔPerformance", md);
        Assert.Contains("| ideal-rl |", md);
        Assert.Contains("| ideal:cheap |", md);
    }
}
