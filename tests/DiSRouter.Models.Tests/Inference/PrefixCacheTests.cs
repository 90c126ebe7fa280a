using DiSRouter.Models.Inference;
using DiSRouter.Models.Tokenization;

namespace DiSRouter.Models.Tests.Inference;

public sealed class PrefixCacheTests
{
    private static readonly ByteTokenizer Tokenizer = ByteTokenizer.Default;
    private const string System = "Cost weight 0.80.";

    [Fact]
    public void APromptThatStartsLikeARecentOneReusesItsKeysAndValues()
    {
        var model = TinyModels.Create(seed: 41);
        var sut = new Generator(model, Tokenizer);
        var first = ChatFormat.EncodePrompt(Tokenizer, System, "What is the capital of France?");
        var second = ChatFormat.EncodePrompt(Tokenizer, System, "Which river flows through Paris?");
        int shared = first.AsSpan().CommonPrefixLength(second);

        var cold = new GenerationTimings();
        sut.Generate(first, new GenerationOptions { MaxNewTokens = 4 }, timings: cold);
        var warm = new GenerationTimings();
        sut.Generate(second, new GenerationOptions { MaxNewTokens = 4 }, timings: warm);

        Assert.Equal(0, cold.ReusedPromptTokens);
        Assert.Equal(shared, warm.ReusedPromptTokens);
    }

    [Fact]
    public void ACallThatMayNotReuseAPrefixComputesTheWholePromptAsAFreshGeneratorDoes()
    {
        var model = TinyModels.Create(seed: 43);
        var first = ChatFormat.EncodePrompt(Tokenizer, System, "What is the capital of France?");
        var second = ChatFormat.EncodePrompt(Tokenizer, System, "Which river flows through Paris?");
        float[] Logits(Generator g, int[] prompt, bool reuse, GenerationTimings timings)
        {
            float[]? seen = null;
            g.Generate(prompt, new GenerationOptions { MaxNewTokens = 1, ReusePrefix = reuse, ChooseFirstToken = l => { seen = l.ToArray(); return 0; } },
                timings: timings);
            return seen!;
        }
        var sut = new Generator(model, Tokenizer);
        Logits(sut, first, reuse: true, new GenerationTimings());

        var whole = new GenerationTimings();
        var logits = Logits(sut, second, reuse: false, whole);
        var fresh = Logits(new Generator(TinyModels.Create(seed: 43), Tokenizer), second, reuse: false, new GenerationTimings());

        Assert.Equal(0, whole.ReusedPromptTokens);
        Assert.Equal(fresh, logits);
    }

    [Fact]
    public void AReusedPrefixGivesBitIdenticalLogitsToAFullPromptPass()
    {
        var model = TinyModels.Create(seed: 42);
        var weights = InferenceWeights.For(model);
        var a = ChatFormat.EncodePrompt(Tokenizer, System, "How many legs has a spider?");
        var b = ChatFormat.EncodePrompt(Tokenizer, System, "How many moons has Mars?");
        var sut = new PrefixCache(model.Config);
        var full = new Workspace(model.Config, b.Length, 1, 1, b.Length);
        Decoder.Forward(weights, full, b, 1, b.Length, 0, [0], allLogits: false);

        var ws = new Workspace(model.Config, a.Length, 1, 1, Math.Max(a.Length, b.Length));
        Decoder.Forward(weights, ws, a, 1, a.Length, 0, [0], allLogits: false);
        sut.Remember(a, model.Version, ws);
        var reused = new Workspace(model.Config, b.Length, 1, 1, b.Length);
        int from = sut.Restore(b, model.Version, reused);
        Decoder.Forward(weights, reused, b.AsSpan(from), 1, b.Length - from, from, [0], allLogits: false);

        Assert.True(from > 20, $"expected the system prompt and 'How many ' to be reused, got {from} tokens");
        int v = model.Config.VocabSize;
        Assert.Equal(full.Logits.AsSpan(0, v).ToArray(), reused.Logits.AsSpan(0, v).ToArray());
    }

    [Fact]
    public void AtLeastSixteenPromptTokensAreAlwaysComputed()
    {
        var model = TinyModels.Create(seed: 43);
        var sut = new Generator(model, Tokenizer);
        var prompt = ChatFormat.EncodePrompt(Tokenizer, System, "Name a prime number above 40.");
        var options = new GenerationOptions { MaxNewTokens = 6, StopAtEos = false };

        var first = sut.Generate(prompt, options).Single();
        var timings = new GenerationTimings();
        var again = sut.Generate(prompt, options, timings: timings).Single();

        Assert.Equal(prompt.Length - PrefixCache.MinComputed, timings.ReusedPromptTokens);
        Assert.Equal(first.TokenIds, again.TokenIds);
    }

    [Fact]
    public void ChangedWeightsAreNeverServedOldKeysAndValues()
    {
        var model = TinyModels.Create(seed: 44);
        var sut = new Generator(model, Tokenizer);
        var prompt = ChatFormat.EncodePrompt(Tokenizer, System, "What colour is the sky at noon?");
        sut.Generate(prompt, new GenerationOptions { MaxNewTokens = 2 });

        model.Embedding.Data[0] += 1f;
        model.MarkWeightsChanged();
        var timings = new GenerationTimings();
        sut.Generate(prompt, new GenerationOptions { MaxNewTokens = 2 }, timings: timings);

        Assert.Equal(0, timings.ReusedPromptTokens);
    }
}
