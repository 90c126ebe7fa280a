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
