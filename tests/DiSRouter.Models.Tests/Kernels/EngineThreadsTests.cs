using DiSRouter.Models.Kernels;

namespace DiSRouter.Models.Tests.Kernels;

public sealed class EngineThreadsTests
{
    private readonly struct CountingBody(int[] hits, int offset = 0) : IParallelBody
    {
        public void Invoke(int index) => Interlocked.Increment(ref hits[offset + index]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(1000)]
    public void ParallelForRunsEveryIndexExactlyOnce(int count)
    {
        var hits = new int[count];
        for (int round = 0; round < 50; round++) EngineThreads.ParallelFor(count, new CountingBody(hits));
        Assert.All(hits, h => Assert.Equal(50, h));
    }

    [Fact]
    public void BackToBackJobsOfGrowingSizeNeverRunAnItemTwiceOrOutOfItsJob()
    {
        // A worker late from a finished job must not pair that job's exhausted state with the next job's larger item
        // count: it would claim a phantom item and run the next job's body (or a null one) with a stale index. Short
        // jobs followed at once by longer ones give a straggler the most chances; every index must run exactly once.
        const int rounds = 200000; // about a second; the race is rare per job, so this is a smoke test rather than a reproducer
        var small = new int[2];
        var large = new int[48];
        for (int r = 0; r < rounds; r++)
        {
            EngineThreads.ParallelFor(small.Length, new CountingBody(small));
            EngineThreads.ParallelFor(large.Length, new CountingBody(large));
        }
        Assert.All(small, h => Assert.Equal(rounds, h));
        Assert.All(large, h => Assert.Equal(rounds, h));
    }

    [Fact]
    public async Task NestedParallelForRunsInlineInsteadOfDeadlocking()
    {
        var hits = new int[8 * 8];
        await Task.Run(() => EngineThreads.ParallelFor(8, outer =>
            EngineThreads.ParallelFor(8, inner => Interlocked.Increment(ref hits[outer * 8 + inner])))).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.All(hits, h => Assert.Equal(1, h));
    }

    [Fact]
    public async Task ConcurrentCallersFromManyThreadsEachCompleteTheirOwnItems()
    {
        const int callers = 8, count = 64, rounds = 200;
        var hits = new int[callers * count];
        var tasks = Enumerable.Range(0, callers).Select(t => Task.Run(() =>
        {
            for (int r = 0; r < rounds; r++)
                EngineThreads.ParallelFor(count, new CountingBody(hits, t * count));
        })).ToArray();
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.All(hits, h => Assert.Equal(rounds, h));
    }

    [Fact]
    public void AnExceptionInABodySurfacesToTheCallerAndThePoolKeepsWorking()
    {
        var error = Assert.Throws<InvalidOperationException>(() => EngineThreads.ParallelFor(16, i =>
        {
            if (i == 5) throw new InvalidOperationException("boom");
        }));
        Assert.Equal("boom", error.Message);
        var hits = new int[16];
        EngineThreads.ParallelFor(16, new CountingBody(hits));
        Assert.All(hits, h => Assert.Equal(1, h));
    }

    [Fact]
    public void JobsKeepRunningWhenTheGenerationCounterWrapsAround()
    {
        EngineThreads.SetGenerationForTests(int.MaxValue - 3);
        var hits = new int[32];
        for (int round = 0; round < 10; round++) EngineThreads.ParallelFor(32, new CountingBody(hits));
        Assert.All(hits, h => Assert.Equal(10, h));
    }

    [Fact]
    public void CountRejectsValuesBelowOne()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => EngineThreads.Count = 0);
        Assert.True(EngineThreads.Count >= 1);
    }
}
