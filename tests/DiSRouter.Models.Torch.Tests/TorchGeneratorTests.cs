using DiSRouter.Core.Scenarios;
using DiSRouter.Models.Checkpoints;
using DiSRouter.Models.Inference;
using DiSRouter.Models.Tokenization;
using Generator = DiSRouter.Models.Inference.Generator;
using static TorchSharp.torch;

namespace DiSRouter.Models.Torch.Tests;

public sealed class TorchGeneratorTests
{
    private static readonly GenerationOptions Greedy = new() { MaxNewTokens = 64, ReusePrefix = false };

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void GreedyGenerationsOnEvaluationPromptsAreIdentical(int member)
    {
        var dir = NanoCheckpoints.Pool(member);
        var ckpt = Checkpoint.Load(dir);
        var ours = new Generator(ckpt.Model, ckpt.Tokenizer);
        using var model = TorchTransformer.Load(dir, CPU);
        var theirs = new TorchGenerator(model, ckpt.Tokenizer);
        foreach (var (system, question) in NanoCheckpoints.EvaluationPrompts(1))
        {
            var expected = ours.Generate(system, question, Greedy)[0];
            var actual = theirs.Generate(system, question, Greedy)[0];
            Assert.Equal(expected.TokenIds, actual.TokenIds);
            Assert.Equal(expected.Text, actual.Text);
            Assert.Equal(expected.FinishReason, actual.FinishReason);
        }
    }

    [Fact]
    public void SelfAwareModelsTakeTheSameDecisionsFromTheSameLogitGap()
    {
        var dir = NanoCheckpoints.SelfAware(3);
        var ckpt = Checkpoint.Load(dir);
        var thresholds = DecisionThresholds.TryRead(dir) ?? throw new InvalidOperationException("nano-selfaware/nano-3 has no decision.json");
        int answer = ckpt.Tokenizer.Encode(thresholds.AnswerText)[0], reject = ckpt.Tokenizer.Encode(thresholds.RejectText)[0];
        var ours = new Generator(ckpt.Model, ckpt.Tokenizer);
        using var model = TorchTransformer.Load(dir, CPU);
        var theirs = new TorchGenerator(model, ckpt.Tokenizer);
        int answered = 0, prompts = 0;
        foreach (var (system, question) in NanoCheckpoints.SelfAwarePrompts(2))
        {
            double gapOurs = double.NaN, gapTheirs = double.NaN;
            var o = Greedy with { MaxNewTokens = 24 };
            var expected = ours.Generate(system, question, o with { ChooseFirstToken = l => Decide(l, ref gapOurs) })[0];
            var actual = theirs.Generate(system, question, o with { ChooseFirstToken = l => Decide(l, ref gapTheirs) })[0];
            Assert.True(Math.Abs(gapOurs - gapTheirs) < 1e-4, $"logit gap {gapOurs} vs {gapTheirs} on '{question}'");
            Assert.Equal(expected.TokenIds, actual.TokenIds);
            prompts++;
            if (expected.TokenIds[0] == answer) answered++;

            int? Decide(ReadOnlySpan<float> logits, ref double gap)
            {
                gap = FirstTokenDecision.LogitGap(logits, answer, reject);
                return thresholds.Answers(gap, Scenario.Balance.Alpha) ? answer : reject;
            }
        }
        // Both kinds of decision occur, so the comparison covers answers and rejections alike.
        Assert.InRange(answered, 1, prompts - 1);
    }

    [Fact]
    public void SampledGenerationsWithTheSameSeedsAreIdentical()
    {
        var dir = NanoCheckpoints.Pool(3);
        var ckpt = Checkpoint.Load(dir);
        using var model = TorchTransformer.Load(dir, CPU);
        var options = new GenerationOptions { MaxNewTokens = 40, Temperature = 0.8f, TopP = 0.9f, NumSamples = 4, Seed = 11, ReusePrefix = false };
        foreach (var (system, question) in NanoCheckpoints.EvaluationPrompts(1).Take(4))
        {
            var expected = new Generator(ckpt.Model, ckpt.Tokenizer).Generate(system, question, options);
            var actual = new TorchGenerator(model, ckpt.Tokenizer).Generate(system, question, options);
            Assert.Equal(expected.Select(r => r.TokenIds), actual.Select(r => r.TokenIds));
            Assert.Equal(expected.Select(r => r.FinishReason), actual.Select(r => r.FinishReason));
        }
    }

    [Fact]
    public void StopStringsAndAbortsEndSamplesAsInTheManagedGenerator()
    {
        var dir = NanoCheckpoints.Pool(2);
        var ckpt = Checkpoint.Load(dir);
        using var model = TorchTransformer.Load(dir, CPU);
        var (system, question) = NanoCheckpoints.EvaluationPrompts(1)[0];
        var options = new GenerationOptions { MaxNewTokens = 40, Temperature = 1f, NumSamples = 3, Seed = 5, StopStrings = [" "], ReusePrefix = false };
        bool Abort(int sample, string text) => !(sample == 1 && text.Length >= 3);
        var expected = new Generator(ckpt.Model, ckpt.Tokenizer).Generate(ChatFormat.EncodePrompt(ckpt.Tokenizer, system, question), options, Abort);
        var actual = new TorchGenerator(model, ckpt.Tokenizer).Generate(ChatFormat.EncodePrompt(ckpt.Tokenizer, system, question), options, Abort);
        Assert.Equal(expected.Select(r => (r.Text, r.FinishReason)), actual.Select(r => (r.Text, r.FinishReason)));
        Assert.Equal(expected.Select(r => r.TokenIds), actual.Select(r => r.TokenIds));
    }

    [Fact]
    public void APromptTokenOutsideTheVocabularyIsRefused()
    {
        var ckpt = Checkpoint.Load(NanoCheckpoints.Pool(1));
        using var model = TorchTransformer.FromModel(ckpt.Model, CPU);
        var e = Assert.Throws<ArgumentException>(() => new TorchGenerator(model, ckpt.Tokenizer).Generate([1, 999], Greedy));
        Assert.Contains("999", e.Message);
    }
}
