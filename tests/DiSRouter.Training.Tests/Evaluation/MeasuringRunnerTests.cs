using DiSRouter.Core.Scenarios;
using DiSRouter.Core.Tasks;
using DiSRouter.Models;
using DiSRouter.Models.Inference;
using DiSRouter.Models.Tokenization;
using DiSRouter.Models.Training;
using DiSRouter.Training.Evaluation;
using DiSRouter.Training.SelfAwareness;
using DiSRouter.Training.Tests.SelfAwareness;

namespace DiSRouter.Training.Tests.Evaluation;

/// <summary>The batched passes measure what a one-query pass measures: same gaps, same decisions, same log-probabilities (up to float rounding).</summary>
public class MeasuringRunnerTests
{
    private static readonly TrainingQuery[] Queries = Enumerable.Range(0, 21)
        .Select(i => TinyWorld.Query($"q{i}", $"What is {i} plus {i * 7 % 5}? Think of {new string('x', i * 3)}.", (i + i * 7 % 5).ToString())).ToArray();

    [Fact]
    public void ADecisionAloneReadsTheSameLogitGapAndGreedyChoiceAsTheServedDecisionPass()
    {
        var model = TransformerModel.Create(TinyWorld.Config, 5);
        var sut = new MeasuringRunner(model, TinyWorld.Tokenizer, new ToyGrader(), maxNewTokens: 4, parallelism: 2);
        var served = sut.Decide(Queries, 0.5);
        var alone = sut.DecideOnly(Queries, 0.5);
        for (int i = 0; i < Queries.Length; i++)
        {
            Assert.Equal(served[i].Id, alone[i].Id);
            Assert.Equal(served[i].LogitGap, alone[i].LogitGap, 3);
            Assert.Equal(served[i].GreedyAnswers, alone[i].GreedyAnswers);
            Assert.Equal(served[i].PromptTokens, alone[i].PromptTokens);
            Assert.False(alone[i].HasAnswer);
        }
        Assert.Contains(alone, d => d.LogitGap != alone[0].LogitGap);
    }

    [Fact]
    public void ADecisionStateHoldsTheLastPositionsStateAndTheMeanStateOverTheWholePrompt()
    {
        var model = TransformerModel.Create(TinyWorld.Config, 8);
        var states = new MeasuringRunner(model, TinyWorld.Tokenizer, new ToyGrader(), maxNewTokens: 4, parallelism: 2).DecisionStates(Queries, 0.8);
        int c = model.Config.HiddenSize;
        for (int i = 0; i < Queries.Length; i++)
        {
            // The same prompt through one unbatched pass: its (T, C) final normed states.
            var prompt = ChatFormat.EncodePrompt(TinyWorld.Tokenizer, SelfAwarePrompt.System(Scenario.FromAlpha(0.8), Queries[i].System, SelfAwarePrompt.Style), Queries[i].Question);
            var logits = new float[prompt.Length * model.Config.VocabSize];
            var hidden = new float[prompt.Length * c];
            ForwardPass.Logits(model, prompt, 1, prompt.Length, logits, hidden);
            for (int j = 0; j < c; j++)
            {
                Assert.Equal(hidden[(prompt.Length - 1) * c + j], states[i].Hidden[j], 2e-4); // both rounded to 4 decimals, another GEMM shape
                Assert.Equal(Enumerable.Range(0, prompt.Length).Average(t => hidden[t * c + j]), states[i].Pooled[j], 2e-4);
            }
        }
        // The mean is not the last state: it reads the whole prompt.
        Assert.Contains(states, s => s.Pooled.Zip(s.Hidden).Any(p => Math.Abs(p.First - p.Second) > 1e-2));
    }

    [Fact]
    public void AnAnswersMeanLogProbabilityIsTheTrainingGraphsOverItsTokens()
    {
        var model = TransformerModel.Create(TinyWorld.Config, 6);
        var replies = new MeasuringRunner(model, TinyWorld.Tokenizer, new ToyGrader(), maxNewTokens: 6, parallelism: 2).Base(Queries);
        var trainer = new Trainer(model, new TrainerOptions());
        for (int i = 0; i < Queries.Length; i++)
        {
            var prompt = ChatFormat.EncodePrompt(TinyWorld.Tokenizer, Queries[i].System, Queries[i].Question);
            var answer = new Generator(model, TinyWorld.Tokenizer).Generate(prompt, new GenerationOptions { MaxNewTokens = 6, ReusePrefix = false })[0].TokenIds;
            using var pass = trainer.ForwardLogProbs([[.. prompt, .. answer]]);
            double expected = Enumerable.Range(prompt.Length, answer.Length).Average(t => (double)pass.LogProbs[0][t - 1]);
            Assert.Equal(expected, replies[i].MeanLogProb, 3);
            Assert.Equal(answer.Length, replies[i].CompletionTokens);
        }
    }

    [Fact]
    public void AVerificationReadsTheVerdictOfAModelTaughtToSayYesToItsRightAnswers()
    {
        // A tiny model taught the verdict: "A" (yes) where the proposed answer is the reference, "B" (no) where it is not.
        var queries = Queries.Take(8).ToArray();
        var model = TransformerModel.Create(TinyWorld.Config, 7);
        var trainer = new Trainer(model, new TrainerOptions { LearningRate = 1e-2, MinLearningRate = 1e-3, WarmupSteps = 3, TotalSteps = 60, WeightDecay = 0 });
        string Reply(string answer) => AnswerTemplate.Format("", answer);
        var examples = queries.SelectMany(q => new[] { (q, Reply(q.Reference), "A"), (q, Reply("wrong"), "B") }).Select(x =>
        {
            var prompt = SelfVerification.Encode(TinyWorld.Tokenizer, x.q, x.Item2, TinyWorld.Config.MaxPositionEmbeddings);
            var mask = new float[prompt.Length + 1];
            mask[^1] = 1;
            return new TrainingExample([.. prompt, TinyWorld.Tokenizer.Encode(x.Item3)[0]], mask);
        }).ToList();
        for (int s = 0; s < 60; s++) trainer.Step(examples);

        var sut = new MeasuringRunner(model, TinyWorld.Tokenizer, new ToyGrader(), maxNewTokens: 4, parallelism: 2);
        var right = sut.Verify(queries, queries.Select(q => new MeasuredReply(q.Id, true, 0, 0, 0, 0, Reply(q.Reference))).ToArray());
        var wrong = sut.Verify(queries, queries.Select(q => new MeasuredReply(q.Id, false, 0, 0, 0, 0, Reply("wrong"))).ToArray());
        Assert.All(right, v => Assert.True(v.YesNoGap > 0, $"{v.Id}: {v.YesNoGap}"));
        Assert.All(wrong, v => Assert.True(v.YesNoGap < 0, $"{v.Id}: {v.YesNoGap}"));
    }

    [Fact]
    public void AVerificationPromptTooLongForTheContextLosesTheQuerysStartNotItsQuestion()
    {
        var query = TinyWorld.Query("long", new string('p', 600) + " What is 2+2?", "4");
        var tokens = SelfVerification.Encode(TinyWorld.Tokenizer, query, "The final answer is: 4.", 256);
        Assert.Equal(256, tokens.Length);
        var text = TinyWorld.Tokenizer.Decode(tokens);
        Assert.Contains("What is 2+2?\nProposed answer: 4\nIs the proposed answer right?\nA) yes\nB) no", text);
        Assert.EndsWith(AnswerTemplate.FinalAnswerPrefix, text);
    }
}
