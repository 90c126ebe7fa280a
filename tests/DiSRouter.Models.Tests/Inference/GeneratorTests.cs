using DiSRouter.Models.Inference;
using DiSRouter.Models.Tokenization;

namespace DiSRouter.Models.Tests.Inference;

public sealed class GeneratorTests
{
    private static readonly ByteTokenizer Tokenizer = ByteTokenizer.Default;
    private static readonly int[] Prompt = ChatFormat.EncodePrompt(Tokenizer, "sys", "What is the capital of France?");

    private static GenerationOptions Greedy(int max = 24) => new() { MaxNewTokens = max };

    [Fact]
    public void KvCacheGenerationEqualsFullRecomputation()
    {
        var model = TinyModels.Create(seed: 21);
        var sut = new Generator(model, Tokenizer);

        var result = sut.Generate(Prompt, Greedy(40) with { StopAtEos = false }).Single();

        // Recompute: the whole sequence through the cache-free batch forward at every step.
        var seq = Prompt.ToList();
        int v = model.Config.VocabSize;
        for (int step = 0; step < 40; step++)
        {
            var logits = ForwardPass.Logits(model, seq.ToArray(), 1, seq.Count);
            seq.Add(Sampler.ArgMax(logits.AsSpan((seq.Count - 1) * v, v)));
        }
        Assert.Equal(seq.Skip(Prompt.Length), result.TokenIds);
        Assert.Equal(FinishReasons.Length, result.FinishReason);
        Assert.Equal(Prompt.Length, result.PromptTokens);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(32)]
    public void CachedDecodeStepsGiveTheSameLogitsAsTheFullForward(int headDim)
    {
        var model = TinyModels.Create(seed: 22, headDim: headDim);
        var tokens = Enumerable.Range(0, 30).Select(i => (i * 53 + 3) % 264).ToArray();
        int v = model.Config.VocabSize, prompt = 9;
        var full = ForwardPass.Logits(model, tokens, 1, tokens.Length);

        var weights = InferenceWeights.For(model);
        var ws = new Workspace(model.Config, prompt, 1, 1, tokens.Length);
        Decoder.Forward(weights, ws, tokens.AsSpan(0, prompt), 1, prompt, 0, [0], allLogits: false);
        AssertClose(full.AsSpan((prompt - 1) * v, v), ws.Logits.AsSpan(0, v));
        for (int t = prompt; t < tokens.Length; t++)
        {
            Decoder.Forward(weights, ws, tokens.AsSpan(t, 1), 1, 1, t, [0], allLogits: false);
            AssertClose(full.AsSpan(t * v, v), ws.Logits.AsSpan(0, v));
        }
    }

    [Fact]
    public void BatchOfSamplesEqualsSingleRunsWithTheSameSeeds()
    {
        var model = TinyModels.Create(seed: 23);
        var sut = new Generator(model, Tokenizer);
        var options = new GenerationOptions { MaxNewTokens = 20, Temperature = 1.0f, TopP = 0.9f, Seed = 7, NumSamples = 4, StopAtEos = false };

        var batch = sut.Generate(Prompt, options);

        Assert.Equal(4, batch.Count);
        for (int i = 0; i < 4; i++)
        {
            var single = sut.Generate(Prompt, options with { NumSamples = 1, Seed = 7 + i }).Single();
            Assert.Equal(single.TokenIds, batch[i].TokenIds);
            Assert.Equal(single.Text, batch[i].Text);
        }
        Assert.True(batch.Select(r => string.Join(",", r.TokenIds)).Distinct().Count() > 1, "samples at temperature 1 should differ");
    }

    [Fact]
    public void SameSeedGivesSameSamplesAndAnotherSeedOthers()
    {
        var sut = new Generator(TinyModels.Create(seed: 24), Tokenizer);
        var options = new GenerationOptions { MaxNewTokens = 16, Temperature = 1.2f, Seed = 3, NumSamples = 2, StopAtEos = false };

        var a = sut.Generate(Prompt, options);
        var b = sut.Generate(Prompt, options);
        var c = sut.Generate(Prompt, options with { Seed = 99 });

        Assert.Equal(a.Select(r => r.TokenIds), b.Select(r => r.TokenIds));
        Assert.NotEqual(a.Select(r => string.Join(",", r.TokenIds)), c.Select(r => string.Join(",", r.TokenIds)));
    }

    [Fact]
    public void TopPNearZeroEqualsGreedy()
    {
        var sut = new Generator(TinyModels.Create(seed: 25), Tokenizer);
        var greedy = sut.Generate(Prompt, Greedy(20) with { StopAtEos = false }).Single();

        var nucleus = sut.Generate(Prompt, new GenerationOptions { MaxNewTokens = 20, Temperature = 1.5f, TopP = 1e-6f, Seed = 5, NumSamples = 3, StopAtEos = false });

        Assert.All(nucleus, r => Assert.Equal(greedy.TokenIds, r.TokenIds));
    }

    [Fact]
    public void StopStringEndsTheSampleAndIsNotInTheText()
    {
        var sut = new Generator(TinyModels.CreateLettersOnly(seed: 26), Tokenizer);
        var free = sut.Generate(Prompt, Greedy(30)).Single();
        Assert.Matches("^[a-z]{30}$", free.Text);
        string stop = free.Text.Substring(12, 3);
        int expectedCut = free.Text.IndexOf(stop, StringComparison.Ordinal);

        var result = sut.Generate(Prompt, Greedy(30) with { StopStrings = ["not-there", stop] }).Single();

        Assert.Equal(FinishReasons.Stop, result.FinishReason);
        Assert.Equal(free.Text[..expectedCut], result.Text);
        Assert.Equal(free.TokenIds[..(expectedCut + stop.Length)], result.TokenIds); // generation ran until the stop string was complete
    }

    [Fact]
    public void EosEndsTheSampleWithStopAndIsNotInTheText()
    {
        var model = TinyModels.CreateLettersOnly(seed: 27);
        var sut = new Generator(model, Tokenizer);
        var free = sut.Generate(Prompt, Greedy(30)).Single();
        // Make <|eos|> a louder copy of a letter the model writes: eos now wins wherever that letter would have.
        int c = model.Config.HiddenSize, letter = free.TokenIds[5];
        for (int i = 0; i < c; i++) model.LmHead.Data[Tokenizer.EosId * c + i] = 1.5f * model.LmHead.Data[letter * c + i];
        model.MarkWeightsChanged();

        var result = sut.Generate(Prompt, Greedy(30)).Single();
        var ignoring = sut.Generate(Prompt, Greedy(30) with { StopAtEos = false }).Single();

        Assert.Equal(FinishReasons.Stop, result.FinishReason);
        Assert.Equal(Tokenizer.EosId, result.TokenIds[^1]);
        int written = result.TokenIds.Length - 1;
        Assert.InRange(written, 0, 5);
        Assert.Equal(free.TokenIds[..written], result.TokenIds[..written]);
        Assert.Equal(free.Text[..written], result.Text);
        Assert.Equal(FinishReasons.Length, ignoring.FinishReason);
        Assert.Contains("<|eos|>", ignoring.Text);
    }

    [Fact]
    public void MaxNewTokensEndsWithLength()
    {
        var sut = new Generator(TinyModels.CreateLettersOnly(seed: 28), Tokenizer);

        var result = sut.Generate(Prompt, Greedy(7)).Single();
        var none = sut.Generate(Prompt, Greedy(0)).Single();

        Assert.Equal(FinishReasons.Length, result.FinishReason);
        Assert.Equal(7, result.TokenIds.Length);
        Assert.Equal(Tokenizer.Decode(result.TokenIds), result.Text);
        Assert.Equal((FinishReasons.Length, 0, ""), (none.FinishReason, none.TokenIds.Length, none.Text));
    }

    [Fact]
    public void ContextLengthCapsGeneration()
    {
        var model = TinyModels.Create(seed: 29); // 96 positions
        var sut = new Generator(model, Tokenizer);
        var prompt = Enumerable.Repeat((int)'x', 90).ToArray();

        var result = sut.Generate(prompt, Greedy(50) with { StopAtEos = false }).Single();

        Assert.Equal(FinishReasons.Length, result.FinishReason);
        Assert.Equal(96 - 90 + 1, result.TokenIds.Length);
        Assert.Throws<ArgumentException>(() => sut.Generate(new int[97], Greedy()));
        Assert.Throws<ArgumentException>(() => sut.Generate([], Greedy()));
    }

    [Fact]
    public void EarlyAbortStopsOnlyThatSample()
    {
        var sut = new Generator(TinyModels.CreateLettersOnly(seed: 30), Tokenizer);
        var options = new GenerationOptions { MaxNewTokens = 15, Temperature = 1f, Seed = 11, NumSamples = 3 };
        var asked = new List<(int, string)>();

        var free = sut.Generate(Prompt, options);
        var result = sut.Generate(Prompt, options, (i, text) =>
        {
            lock (asked) asked.Add((i, text));
            return !(i == 1 && text.Length >= 3);
        });

        Assert.Equal(FinishReasons.Aborted, result[1].FinishReason);
        Assert.Equal(3, result[1].TokenIds.Length);
        Assert.Equal(free[1].Text[..3], result[1].Text);
        Assert.Equal(free[0].TokenIds, result[0].TokenIds);
        Assert.Equal(free[2].TokenIds, result[2].TokenIds);
        Assert.Equal(FinishReasons.Length, result[0].FinishReason);
        Assert.Equal(3, asked.Count(a => a.Item1 == 1));           // never asked again once stopped
        Assert.Equal(14, asked.Count(a => a.Item1 == 0));          // asked after every token but the last
        Assert.Contains((0, free[0].Text[..5]), asked);
    }

    [Fact]
    public void CancellationThrows()
    {
        var sut = new Generator(TinyModels.Create(seed: 31), Tokenizer);
        using var cts = new CancellationTokenSource();
        int calls = 0;

        Assert.ThrowsAny<OperationCanceledException>(() =>
            sut.Generate(Prompt, Greedy(50) with { StopAtEos = false }, (_, _) => { if (++calls == 4) cts.Cancel(); return true; }, cts.Token));
        Assert.Equal(4, calls);
    }

    [Fact]
    public void ConcurrentCallsGiveTheSameOutputsAsSequentialOnes()
    {
        var sut = new Generator(TinyModels.Create(seed: 32), Tokenizer);
        var jobs = Enumerable.Range(0, 6).Select(i => (
            Prompt: ChatFormat.EncodePrompt(Tokenizer, null, $"question {i}"),
            Options: new GenerationOptions { MaxNewTokens = 20 + i, Temperature = i % 2 == 0 ? 0 : 0.8f, Seed = i, NumSamples = 1 + i % 3, StopAtEos = false })).ToArray();
        var sequential = jobs.Select(j => sut.Generate(j.Prompt, j.Options)).ToArray();

        var concurrent = new IReadOnlyList<GenerationResult>[jobs.Length];
        var threads = jobs.Select((j, i) => new Thread(() => concurrent[i] = sut.Generate(j.Prompt, j.Options))).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) Assert.True(t.Join(TimeSpan.FromSeconds(60)));

        for (int i = 0; i < jobs.Length; i++)
            Assert.Equal(sequential[i].Select(r => r.TokenIds), concurrent[i].Select(r => r.TokenIds));
    }

    [Fact]
    public void InvalidOptionsAreRejectedWithAReason()
    {
        var sut = new Generator(TinyModels.Create(), Tokenizer);
        Assert.Contains("TopP", Assert.Throws<ArgumentException>(() => sut.Generate(Prompt, new GenerationOptions { TopP = 0 })).Message);
        Assert.Contains("Temperature", Assert.Throws<ArgumentException>(() => sut.Generate(Prompt, new GenerationOptions { Temperature = -1 })).Message);
        Assert.Contains("NumSamples", Assert.Throws<ArgumentException>(() => sut.Generate(Prompt, new GenerationOptions { NumSamples = 0 })).Message);
        Assert.Contains("vocabulary", Assert.Throws<ArgumentException>(() => sut.Generate([1, 300], new GenerationOptions())).Message);
    }

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4f * (1 + Math.Abs(expected[i])), $"id {i}: {expected[i]} vs {actual[i]}");
    }
}
