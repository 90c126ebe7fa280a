using DiSRouter.Core.Evaluation.Routers;
using DiSRouter.Models.Checkpoints;
using DiSRouter.Training.Evaluation;
using DiSRouter.Training.Tests.Pool;

namespace DiSRouter.Training.Tests.Evaluation;

/// <summary><c>fit self-route</c> on a tiny pool: the router file names the served checkpoints by their weights and loads as a router.</summary>
public class SelfRouteFitTests
{
    [Fact]
    public void FitWritesARouterBoundToTheServedWeightsAndARerunReadsTheCache()
    {
        using var dir = new TempDirectory();
        var options = RoutingReportTests.SaveTinyPool(dir);
        var path = dir.Sub("out") + "/" + SelfRouteFile.FileName;

        var (rc, output) = Run(options, path);
        Assert.True(rc == 0, output);
        var file = SelfRouteFile.Load(path);
        var served = Path.Combine(options.ModelsDirectory, Training.Commands.ReportCommand.ServedStoreName);
        Assert.Equal(["nano-1", "nano-2", "nano-3", "nano-4", "nano-5"], file.Agents.Select(a => a.Name));
        foreach (var agent in file.Agents)
            Assert.Equal(WeightsFingerprint.Of(Checkpoint.Load(Path.Combine(served, agent.Name)).Model), agent.WeightsSha256);
        Assert.Equal([0.1, 0.2, 0.4, 0.7, 0.9], file.Agents.Select(a => a.Cost));
        Assert.Equal(5, file.Registry.All.Length);
        var choice = SelfRouteRouter.FromFile(file).Route("What is 2+3?", 0.5, file.Agents.Select(a => a.Cost).ToArray());
        Assert.Contains(choice.Family, file.FamilyHead.Classes);

        var (again, rerun) = Run(options, path);
        Assert.True(again == 0, rerun);
        Assert.Contains("0 misses", rerun);
    }

    [Fact]
    public void FitWithoutServedCheckpointsSaysWhereItLooked()
    {
        using var dir = new TempDirectory();
        var options = RoutingReportTests.SaveTinyPool(dir) with { ModelsDirectory = dir.Sub("empty") };

        var (rc, output) = Run(options, dir.Sub("out") + "/x.json");

        Assert.Equal(2, rc);
        Assert.Contains("self-aware checkpoint", output);
    }

    private static (int Rc, string Output) Run(RoutingReportOptions options, string path)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int rc = SelfRouteFit.Run(options, path, "fit self-route (test)", output, error, CancellationToken.None);
        return (rc, output + error.ToString());
    }
}
