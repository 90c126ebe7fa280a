using DiSRouter.Models.Inference;
using DiSRouter.Models.Tokenization;

namespace DiSRouter.Models.Tests.Inference;

public sealed class FirstTokenChoiceTests
{
    private static readonly ByteTokenizer Tokenizer = ByteTokenizer.Default;
    private static readonly int[] Prompt = ChatFormat.EncodePrompt(Tokenizer, "sys", "Is it raining?");

    [Fact]
    public void ChosenFirstTokenIsFedBackAndTheRestDecodesAsIfItHadBeenPrompted()
    {
        var model = TinyModels.Create(seed: 31);
        var sut = new Generator(model, Tokenizer);
        int forced = Tokenizer.Encode("L")[0];
        float[]? seen = null;

        var chosen = sut.Generate(Prompt, new GenerationOptions
        {
            MaxNewTokens = 12, StopAtEos = false,
            ChooseFirstToken = logits => { seen = logits.ToArray(); return forced; },
        }).Single();
        var prompted = sut.Generate([.. Prompt, forced], new GenerationOptions { MaxNewTokens = 11, StopAtEos = false }).Single();

        Assert.Equal(forced, chosen.TokenIds[0]);
        Assert.Equal(prompted.TokenIds, chosen.TokenIds.Skip(1));
        // The chooser saw the prompt pass's next-token logits: its argmax is what plain greedy decoding picks.
        var greedy = sut.Generate(Prompt, new GenerationOptions { MaxNewTokens = 1 }).Single();
        Assert.Equal(model.Config.VocabSize, seen!.Length);
        Assert.Equal(greedy.TokenIds[0], Sampler.ArgMax(seen));
    }

    [Fact]
    public void ChoiceOutsideTheVocabularyIsRefused()
    {
        var sut = new Generator(TinyModels.Create(seed: 32), Tokenizer);
        var e = Assert.Throws<InvalidOperationException>(() =>
            sut.Generate(Prompt, new GenerationOptions { MaxNewTokens = 3, ChooseFirstToken = _ => 100_000 }));
        Assert.Contains("outside the vocabulary", e.Message);
    }

    [Fact]
    public void LogitGapIsTheLogOddsOfAnswerOverReject()
    {
        float[] logits = [0f, 2f, -1f, 0.5f];
        Assert.Equal(3.0, FirstTokenDecision.LogitGap(logits, answerToken: 1, rejectToken: 2), 12);
        // p(answer) / p(reject) from the softmax (its normaliser cancels), against the exponential of the gap.
        double pa = Math.Exp(2), pr = Math.Exp(-1);
        Assert.Equal(pa / pr, Math.Exp(FirstTokenDecision.LogitGap(logits, answerToken: 1, rejectToken: 2)), 12);
    }
}
