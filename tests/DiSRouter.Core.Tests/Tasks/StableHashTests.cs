using DiSRouter.Core.Tasks;

namespace DiSRouter.Core.Tests.Tasks;

public sealed class StableHashTests
{
    // Golden values, checked against an independent Python implementation of FNV-1a + SplitMix64 and xoshiro256**.
    // If these move, every split and generated item moves with them (and the pool's data hash).
    [Fact]
    public void HashMatchesTheReferenceImplementation()
    {
        Assert.Equal(0x16FE05A1C75BCD0FUL, StableHash.Of("hello"));
    }

    [Fact]
    public void RandomMatchesTheReferenceImplementation()
    {
        var sut = new StableRandom(42);
        Assert.Equal(new[] { 0x15780B2E0C2EC716UL, 0x6104D9866D113A7EUL, 0xAE17533239E499A1UL },
            new[] { sut.NextUInt64(), sut.NextUInt64(), sut.NextUInt64() });
    }

    [Fact]
    public void PartsAreSeparatedSoConcatenationsDiffer()
    {
        Assert.NotEqual(StableHash.Of("ab", "c"), StableHash.Of("a", "bc"));
    }

    [Fact]
    public void RandomSequenceIsFixedBySeed()
    {
        var a = new StableRandom(42);
        var b = new StableRandom(42);
        var c = new StableRandom(43);
        var sa = Enumerable.Range(0, 8).Select(_ => a.NextUInt64()).ToList();
        var sb = Enumerable.Range(0, 8).Select(_ => b.NextUInt64()).ToList();
        var sc = Enumerable.Range(0, 8).Select(_ => c.NextUInt64()).ToList();
        Assert.Equal(sa, sb);
        Assert.NotEqual(sa, sc);
    }

    [Fact]
    public void NextStaysInRangeAndCoversIt()
    {
        var sut = new StableRandom(7);
        var seen = new int[6];
        for (var i = 0; i < 6000; i++) seen[sut.Next(6)]++;
        Assert.All(seen, count => Assert.InRange(count, 850, 1150));
        for (var i = 0; i < 1000; i++) Assert.InRange(sut.Between(-3, 3), -3, 3);
        for (var i = 0; i < 1000; i++) Assert.InRange(sut.NextDouble(), 0.0, 0.9999999999);
    }

    [Fact]
    public void SampleReturnsDistinctItems()
    {
        var sut = new StableRandom(1);
        var items = Enumerable.Range(0, 10).ToList();
        var sample = sut.Sample(items, 10);
        Assert.Equal(items, sample.Order());
        Assert.Throws<ArgumentOutOfRangeException>(() => sut.Sample(items, 11));
    }
}
