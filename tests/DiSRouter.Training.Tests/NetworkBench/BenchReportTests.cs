using System.Text.Json;
using DiSRouter.Training.NetworkBench;

namespace DiSRouter.Training.Tests.NetworkBench;

public sealed class BenchReportTests
{
    private static readonly LevelResult Level = new(2, 10, 10, null, 2.0, 5.0,
        new Distribution(10, 20, 30), new Distribution(10, 1, 2), null, new Distribution(12, 0.5, 1.5), new Distribution(12, 0.75, 2.5),
        [new AgentFigures("agent-1", 8, 2, 0, new Distribution(10, 0.5, 1.5), new RejectionShare(null, 2, 8))]);

    private static readonly BenchRunInfo Info = new("dotnet run -c Release --project DiSRouter.AppHost -- bench --requests 10",
        new DateTime(2026, 12, 2, 6, 0, 0, DateTimeKind.Utc), "Test CPU, 2 CPUs", "agent-1 (nano-1, cost 0.1)", "10 questions");

    [Fact]
    public void NetworkSectionReplacesItselfAndLeavesOtherSectionsAlone()
    {
        const string document = "# Benchmarks\n\nIntro.\n\n## Network\n\nold figures\n\n## Engine\n\nengine figures\n";

        var sut = BenchReport.ReplaceSection(document, BenchReport.Markdown([Level], Info));

        Assert.DoesNotContain("old figures", sut);
        Assert.StartsWith("# Benchmarks\n\nIntro.\n\n## Network\n", sut);
        Assert.EndsWith("## Engine\n\nengine figures\n", sut);
        Assert.Contains("bench --requests 10", sut);
        Assert.Contains("Test CPU, 2 CPUs", sut);
        Assert.Contains("| 2 | agent-1 | 8 | 2 | 0 | 0.50 / 1.50 | n/a (2 rejections) |", sut);
        Assert.Contains("| 2 | 10/10 | 5.00 | 20.00 / 30.00 | 1.00 / 2.00 | - | 0.50 / 1.50 | 0.75 / 2.50 | PASS |", sut);
    }

    [Fact]
    public void NetworkSectionIsAppendedOrStartsANewFile()
    {
        Assert.StartsWith("# Benchmarks\n\n## Network\n", BenchReport.ReplaceSection(null, BenchReport.Markdown([Level], Info)));
        var appended = BenchReport.ReplaceSection("# Benchmarks\n\n## Engine\n\nx\n", BenchReport.Markdown([Level], Info));
        Assert.StartsWith("# Benchmarks\n\n## Engine\n\nx\n\n## Network\n", appended);
    }

    [Fact]
    public void EveryJsonLineNamesItsFigureAndConcurrency()
    {
        var lines = BenchReport.JsonLines([Level]).Select(l => JsonDocument.Parse(l).RootElement).ToList();

        Assert.All(lines, l => Assert.Equal(2, l.GetProperty("concurrency").GetInt32()));
        var routing = lines.Single(l => l.GetProperty("figure").GetString() == "routing_per_hop_ms");
        Assert.Equal(0.75, routing.GetProperty("p50").GetDouble());
        Assert.True(routing.GetProperty("pass").GetBoolean());
        var share = lines.Single(l => l.GetProperty("figure").GetString() == "rejection_share");
        Assert.Equal(JsonValueKind.Null, share.GetProperty("value").ValueKind);
        Assert.Equal("n/a (2 rejections)", share.GetProperty("text").GetString());
    }
}
