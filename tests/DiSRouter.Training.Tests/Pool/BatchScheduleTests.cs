using DiSRouter.Training.Pool;

namespace DiSRouter.Training.Tests.Pool;

public sealed class BatchScheduleTests
{
    private static readonly int[] Lengths = Enumerable.Range(0, 200).Select(i => 10 + (i * 37 % 90)).ToArray();

    [Fact]
    public void SameSeedAndStepGiveTheSameBatchInAFreshSchedule()
    {
        var sut = new BatchSchedule(Lengths, 8, seed: 7);
        var again = new BatchSchedule(Lengths, 8, seed: 7);

        // Asked out of order, as a resumed run does.
        Assert.Equal(sut.Batch(61), again.Batch(61));
        Assert.Equal(sut.Batch(3), again.Batch(3));
        Assert.NotEqual(sut.Batch(3), new BatchSchedule(Lengths, 8, seed: 8).Batch(3));
    }

    [Fact]
    public void EachEpochUsesEveryExampleAtMostOnce()
    {
        var sut = new BatchSchedule(Lengths, 8, seed: 1);

        var epoch = Enumerable.Range(0, sut.BatchesPerEpoch).SelectMany(sut.Batch).ToArray();
        var next = Enumerable.Range(sut.BatchesPerEpoch, sut.BatchesPerEpoch).SelectMany(sut.Batch).ToArray();

        Assert.Equal(200, epoch.Distinct().Count());
        Assert.Equal(200, next.Distinct().Count());
        Assert.NotEqual(epoch, next);
    }

    [Fact]
    public void BatchesGroupSimilarLengthsSoPaddingStaysSmall()
    {
        var sut = new BatchSchedule(Lengths, 8, seed: 3);
        double Padding(IEnumerable<int[]> batches) => batches.Average(b => b.Max(i => Lengths[i]) - b.Average(i => Lengths[i]));
        var random = Enumerable.Range(0, 25).Select(s => new Random(s).GetItems(Enumerable.Range(0, 200).ToArray(), 8));

        double grouped = Padding(Enumerable.Range(0, sut.BatchesPerEpoch).Select(sut.Batch));

        Assert.True(grouped < Padding(random) / 3, $"mean padding {grouped:F1} tokens per example");
    }

    [Fact]
    public void TheCurriculumDrawsOnlyShortExamplesForItsStepsThenTheWholeCorpus()
    {
        var sut = new BatchSchedule(Lengths, 8, seed: 5, shortSteps: 12, shortMaxLength: 40);
        var again = new BatchSchedule(Lengths, 8, seed: 5, shortSteps: 12, shortMaxLength: 40);

        Assert.All(Enumerable.Range(0, 12).SelectMany(sut.Batch), i => Assert.InRange(Lengths[i], 0, 40));
        var after = Enumerable.Range(12, sut.BatchesPerEpoch).SelectMany(sut.Batch).ToArray();
        Assert.Equal(200, after.Distinct().Count()); // then a whole epoch of the full corpus
        Assert.Contains(after, i => Lengths[i] > 40);
        Assert.Equal(sut.Batch(5), again.Batch(5)); // still a pure function of (seed, step)
        Assert.Equal(new BatchSchedule(Lengths, 8, seed: 5).Batch(0), sut.Batch(12));
    }

    [Fact]
    public void ACurriculumWithTooFewShortExamplesIsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => new BatchSchedule(Lengths, 8, seed: 5, shortSteps: 10, shortMaxLength: 10));
        Assert.Contains("fewer than one batch", e.Message);
    }
}
