using DiSRouter.Core.Tasks;
using DiSRouter.Training.Pool;

namespace DiSRouter.Training.Tests.Pool;

public sealed class SpecOverridesTests
{
    [Fact]
    public void CorpusAndMemberOverridesChangeOnlyWhatTheyName()
    {
        var (members, corpus) = SpecOverrides.Apply("corpus.drills=10,corpus.drillsize=4,corpus.copyshare=0.5,nano-3.steps=7",
            NanoPool.Members, NanoPool.Corpus);

        Assert.Equal((10, 4, 0.5), (corpus.DrillSheets, corpus.DrillsPerSheet, corpus.CopyDrillShare));
        Assert.Equal(NanoPool.Corpus.Knowledge, corpus.Knowledge);
        Assert.Equal(7, members.Single(m => m.Name == "nano-3").Steps);
        Assert.Equal(NanoPool.Members.Where(m => m.Name != "nano-3"), members.Where(m => m.Name != "nano-3"));
    }

    [Fact]
    public void ChoiceChainOverrideReachesTheSuiteAndTheSpecsJsonOnlyWhenSet()
    {
        var (_, corpus) = SpecOverrides.Apply("corpus.choicechain=copiedpairs", NanoPool.Members, NanoPool.Corpus);

        Assert.Equal(ChoiceChain.CopiedPairs, corpus.SuiteOptions.ChoiceChain);
        var item = new TaskSuite(corpus.WorldSeed, corpus.SuiteOptions).Generate("multiple-choice", TaskSplit.Train, 1)[0];
        Assert.StartsWith($"{item.Choices![0]} A, ", item.Reasoning);
        // The spec's JSON is part of the data hash: the default chain is left out (specs written before the setting keep
        // their hash), any other chain is written, so changing it changes the data hash.
        Assert.Equal(ChoiceChain.OptionText, NanoPool.Corpus.ChoiceChain);
        Assert.DoesNotContain("ChoiceChain", System.Text.Json.JsonSerializer.Serialize(NanoPool.Corpus with { ChoiceChain = ChoiceChain.LetterAfterValue }));
        Assert.Contains("ChoiceChain", System.Text.Json.JsonSerializer.Serialize(NanoPool.Corpus));
        Assert.Contains("ChoiceChain", System.Text.Json.JsonSerializer.Serialize(corpus));
        var e = Assert.Throws<ArgumentException>(() => SpecOverrides.Apply("corpus.choicechain=sideways", NanoPool.Members, NanoPool.Corpus));
        Assert.Contains("CopiedPairs", e.Message);
    }

    [Fact]
    public void UnknownFieldIsRefusedWithTheFieldsThatExist()
    {
        var e = Assert.Throws<ArgumentException>(() => SpecOverrides.Apply("corpus.drils=3", NanoPool.Members, NanoPool.Corpus));

        Assert.Contains("drils", e.Message);
        Assert.Contains("copyshare", e.Message);
    }

    [Fact]
    public void MalformedPairAndUnknownMemberAreRefused()
    {
        Assert.Throws<ArgumentException>(() => SpecOverrides.Apply("drills=3", NanoPool.Members, NanoPool.Corpus));
        Assert.Throws<ArgumentException>(() => SpecOverrides.Apply("nano-9.steps=3", NanoPool.Members, NanoPool.Corpus));
    }
}
