using DiSRouter.Models.Checkpoints;
using DiSRouter.Training.Pool;

namespace DiSRouter.Training.Tests.Pool;

/// <summary>The pool under models/ is what its manifest says it is, and every member loads as described.</summary>
public sealed class CommittedPoolTests
{
    private static readonly string PoolDirectory = Path.Combine(RepositoryFiles.Models, NanoPool.DirectoryName);

    [Fact]
    public void ManifestMatchesTheCommittedFilesByHash()
    {
        var sut = PoolManifest.Load(Path.Combine(PoolDirectory, PoolManifest.FileName));

        Assert.Empty(sut.Verify(PoolDirectory));
        Assert.Equal(NanoPool.Members.Select(m => m.Name), sut.Models.Select(m => m.Name));
    }

    [Fact]
    public void EveryCommittedCheckpointLoadsWithTheManifestsShapeAndCost()
    {
        var sut = PoolManifest.Load(Path.Combine(PoolDirectory, PoolManifest.FileName));

        long total = 0;
        foreach (var m in sut.Models)
        {
            var loaded = Checkpoint.Load(Path.Combine(PoolDirectory, m.Directory));
            Assert.Equal(m.Config, loaded.Model.Config);
            Assert.Equal(m.Parameters, loaded.Model.ParameterCount);
            Assert.NotNull(m.Accuracy);
            total += m.Files.Keys.Sum(f => new FileInfo(Path.Combine(PoolDirectory, m.Directory, f)).Length);
        }
        Assert.Equal([0.1, 0.2, 0.4, 0.7, 0.9], sut.Models.Select(m => m.Cost));
        Assert.True(total < 40_000_000, $"the pool takes {total:N0} bytes");
    }

    [Fact]
    public void CommittedMembersAreWhatPretrainWouldSkip()
    {
        // The documented command must find the committed pool trained on today's corpus and spec; a changed data hash
        // (even from a new property in the spec's JSON, with the same tokens) would retrain all five from step 0.
        var sut = PoolManifest.Load(Path.Combine(PoolDirectory, PoolManifest.FileName));
        var corpus = NanoWorld.BuildCorpus(NanoPool.Corpus, Models.Tokenization.ByteTokenizer.Default);

        Assert.Equal(sut.DataHash, corpus.DataHash);
        foreach (var spec in NanoPool.Members)
            Assert.True(new ModelPretrainer(spec, corpus, Models.Tokenization.ByteTokenizer.Default)
                .IsFinished(Path.Combine(PoolDirectory, spec.Name), out _), $"{spec.Name} would be trained again");
    }

    [Fact]
    public void AlteredFileIsReportedByVerify()
    {
        using var dir = new TempDirectory();
        var sut = PoolManifest.Load(Path.Combine(PoolDirectory, PoolManifest.FileName));
        var first = sut.Models[0];
        var copy = Directory.CreateDirectory(dir.Sub(first.Directory)).FullName;
        foreach (var f in first.Files.Keys) File.Copy(Path.Combine(PoolDirectory, first.Directory, f), Path.Combine(copy, f));
        var one = sut with { Models = [first] };
        Assert.Empty(one.Verify(dir.Path));

        File.AppendAllText(Path.Combine(copy, "config.json"), " ");

        Assert.Contains(one.Verify(dir.Path), p => p.Contains("config.json") && p.Contains("SHA-256"));
    }
}
