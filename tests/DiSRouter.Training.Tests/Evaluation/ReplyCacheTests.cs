using DiSRouter.Training.Evaluation;
using DiSRouter.Training.SelfAwareness;
using DiSRouter.Training.Tests.Pool;
using DiSRouter.Training.Tests.SelfAwareness;

namespace DiSRouter.Training.Tests.Evaluation;

public class ReplyCacheTests
{
    private static readonly TrainingQuery[] Queries = [TinyWorld.Query("q1", "1+1?", "2"), TinyWorld.Query("q2", "2+2?", "4")];

    private static MeasuredReply[] Measure(IReadOnlyList<TrainingQuery> queries, ref int calls)
    {
        calls++;
        return queries.Select(q => new MeasuredReply(q.Id, true, -0.5, 3, 4, 1.5, "x")).ToArray();
    }

    [Fact]
    public void ASecondRequestForTheSameWeightsAndQueriesReadsTheFile()
    {
        using var dir = new TempDirectory();
        var sut = new ReplyCache(dir.Path);
        int calls = 0;
        var path = sut.PathFor("nano-1-base", "abc", "base-8", Queries);
        var first = sut.GetOrMeasure(path, Queries, r => r.Id, () => Measure(Queries, ref calls));
        var second = sut.GetOrMeasure(path, Queries, r => r.Id, () => Measure(Queries, ref calls));
        Assert.Equal(1, calls);
        Assert.Equal(first, second);
        Assert.Equal((1, 1), (sut.Hits, sut.Misses));
        Assert.Contains("nano-1-base-abc", path);
    }

    [Fact]
    public void OtherWeightsOrOtherQueriesAreMeasuredAgain()
    {
        using var dir = new TempDirectory();
        var sut = new ReplyCache(dir.Path);
        var other = new[] { Queries[0], TinyWorld.Query("q2", "2+3?", "5") };
        Assert.NotEqual(sut.PathFor("m", "abc", "base", Queries), sut.PathFor("m", "abd", "base", Queries));
        Assert.NotEqual(sut.PathFor("m", "abc", "base", Queries), sut.PathFor("m", "abc", "base", other));
    }

    [Fact]
    public void AFileThatDoesNotMatchTheQueriesIsMeasuredAgain()
    {
        using var dir = new TempDirectory();
        var sut = new ReplyCache(dir.Path);
        int calls = 0;
        var path = sut.PathFor("m", "abc", "base", Queries);
        JsonlFile.WriteAll(path, Measure(Queries.Take(1).ToArray(), ref calls)); // a torn or older file: one record for two queries
        sut.GetOrMeasure(path, Queries, r => r.Id, () => Measure(Queries, ref calls));
        Assert.Equal(2, calls);
        Assert.Equal(2, JsonlFile.Read<MeasuredReply>(path).Count);
    }
}
