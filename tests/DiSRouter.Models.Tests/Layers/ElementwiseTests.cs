using DiSRouter.Models.Layers;

namespace DiSRouter.Models.Tests.Layers;

public sealed class ElementwiseTests
{
    // Below and above the length from which the pass is split over the engine's threads, and not a multiple of the chunk.
    [Theory]
    [InlineData(1000)]
    [InlineData(200_003)]
    public void AddGivesEveryElementsSum(int length)
    {
        var rng = new Random(length);
        float[] a = [.. Enumerable.Range(0, length).Select(_ => (float)rng.NextDouble() - 0.5f)];
        float[] b = [.. Enumerable.Range(0, length).Select(_ => (float)rng.NextDouble() - 0.5f)];
        var y = new float[length];

        Elementwise.Add(a, b, y);

        for (int i = 0; i < length; i++) Assert.Equal(a[i] + b[i], y[i]);
    }

    [Fact]
    public void AddInPlaceAccumulatesIntoItsFirstOperand()
    {
        float[] acc = [.. Enumerable.Range(0, 100_000).Select(i => (float)i)];
        float[] add = [.. Enumerable.Range(0, 100_000).Select(i => 0.5f)];

        Elementwise.Add(acc, add, acc);

        for (int i = 0; i < acc.Length; i++) Assert.Equal(i + 0.5f, acc[i]);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(150_001)]
    public void ClearZeroesExactlyTheSpan(int length)
    {
        var buffer = new float[length + 2];
        buffer.AsSpan().Fill(3f);

        Elementwise.Clear(buffer.AsSpan(1, length));

        Assert.Equal(3f, buffer[0]);
        Assert.Equal(3f, buffer[^1]);
        Assert.All(buffer[1..^1], x => Assert.Equal(0f, x));
    }

    [Fact]
    public void AddRefusesSpansOfDifferentLengths()
    {
        var e = Assert.Throws<ArgumentException>(() => Elementwise.Add(new float[4], new float[5], new float[4]));
        Assert.Contains("one length", e.Message);
    }
}
