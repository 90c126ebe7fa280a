using System.Globalization;
using System.Text.RegularExpressions;
using DiSRouter.Models.Checkpoints;
using DiSRouter.Training.Evaluation;
using DiSRouter.Training.Tests.Pool;

namespace DiSRouter.Training.Tests.Evaluation;

/// <summary><c>fit bids</c> on a tiny pool: it reads the served agents' validation decisions from the reply cache and writes each agent's bid.json.</summary>
public class BidFitTests
{
    [Fact]
    public void FitWritesEachServedAgentsScaleBoundToItsWeightsAndEqualToTheReportsBids()
    {
        using var dir = new TempDirectory();
        var options = RoutingReportTests.SaveTinyPool(dir);
        var served = Path.Combine(options.ModelsDirectory, Training.Commands.ReportCommand.ServedStoreName);
        // The decisions at α = 0.5 on validation, as report routing --validation-decisions measures them (fit self-route measures the same files).
        Assert.Equal(0, SelfRouteFit.Run(options, dir.Sub("out") + "/self-route.json", "test", TextWriter.Null, TextWriter.Null, CancellationToken.None));
        File.WriteAllText(Path.Combine(served, "nano-2", BidScale.FileName), "an older file the fit replaces");

        var (rc, output) = Run(options);

        Assert.True(rc == 0, output);
        foreach (var name in new[] { "nano-1", "nano-2", "nano-3", "nano-4", "nano-5" })
        {
            var bid = BidScale.TryRead(Path.Combine(served, name));
            Assert.NotNull(bid);
            Assert.Equal(WeightsFingerprint.Of(Checkpoint.Load(Path.Combine(served, name)).Model), bid.WeightsSha256);
            Assert.Equal(0.5, bid.PromptAlpha);
            Assert.Equal(12, bid.Fit!.Value.GetProperty("rows").GetInt32()); // 2 validation queries of each of the 6 families
            Assert.Equal("fit bids (test)", bid.Fit!.Value.GetProperty("command").GetString());
            Assert.Empty(Directory.GetFiles(Path.Combine(served, name), "*.tmp")); // written by rename: no temporary file left
        }
        // The files' maps give the report's bids (BidScales on the same cached decisions) on every validation row.
        var differences = Regex.Matches(output, @"largest difference from the report's bid on validation (\S+)").Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(5, differences.Count);
        Assert.All(differences, d => Assert.InRange(d, 0, 1e-6));
        Assert.Contains("5 hits, 0 misses", output);
    }

    [Fact]
    public void FitWithoutTheValidationDecisionsNamesTheReportCommandThatMeasuresThemAndWritesNothing()
    {
        using var dir = new TempDirectory();
        var options = RoutingReportTests.SaveTinyPool(dir);

        var (rc, output) = Run(options);

        Assert.Equal(1, rc);
        Assert.Contains("lacks the served agents' validation decisions", output);
        Assert.Contains("report routing --validation-decisions", output);
        var served = Path.Combine(options.ModelsDirectory, Training.Commands.ReportCommand.ServedStoreName);
        Assert.Empty(Directory.GetFiles(served, BidScale.FileName, SearchOption.AllDirectories));
    }

    private static (int Rc, string Output) Run(RoutingReportOptions options)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int rc = BidFit.Run(options, "fit bids (test)", output, error);
        return (rc, output + error.ToString());
    }
}
