using DiSRouter.Training.SelfAwareness;

namespace DiSRouter.Training.Evaluation;

/// <summary>The report's figures: utility against α per method, the cost–accuracy frontier, answer rate against α per agent (test split, all agents).</summary>
internal static class RoutingPlots
{
    public const string UtilityFile = "evaluation-utility.svg";
    public const string FrontierFile = "evaluation-frontier.svg";
    public const string AnswerRateFile = "evaluation-answer-rate.svg";

    /// <summary>Writes the plots into <paramref name="directory"/>; returns their file names.</summary>
    public static IReadOnlyList<string> Write(RoutingReportResult r, string directory)
    {
        var curves = r.Curves.Where(c => c.Split == RoutingQuerySets.TestName && c.Subset == RoutingReport.AllAgents).ToList();
        var utility = new SvgPlot("Utility against α (test)", "α", "utility = accuracy − α·cost");
        foreach (var c in curves)
            utility.Add(c.Method, c.Points.Select((p, j) => (r.Alphas[j], p.Accuracy - r.Alphas[j] * p.Cost)).ToList(), bold: c.Method == RoutingReport.DiSRouter);
        var frontier = new SvgPlot("Cost–accuracy points over the α sweep (test)", "mean cost", "accuracy");
        foreach (var c in curves)
            frontier.Add(c.Method, c.Points.Select(p => (p.Cost, p.Accuracy)).ToList(), bold: c.Method == RoutingReport.DiSRouter,
                lines: !c.Method.StartsWith("nano-", StringComparison.Ordinal));
        var rates = new SvgPlot("Answer rate against α per agent (served checkpoints, test)", "α", "share of queries answered");
        var deciding = r.AnswerRates.Select(a => a.Agent).Distinct().ToList(); // every agent but the last, which always answers
        foreach (var agent in deciding)
            rates.Add(agent + " calibrated", r.AnswerRates.Where(a => a.Agent == agent).Select(a => (a.Alpha, a.Calibrated)).ToList(), bold: true);
        foreach (var agent in deciding)
            rates.Add(agent + " greedy", r.AnswerRates.Where(a => a.Agent == agent).Select(a => (a.Alpha, a.Greedy)).ToList());
        Directory.CreateDirectory(directory);
        AtomicWrite.Text(Path.Combine(directory, UtilityFile), utility.Render());
        AtomicWrite.Text(Path.Combine(directory, FrontierFile), frontier.Render());
        AtomicWrite.Text(Path.Combine(directory, AnswerRateFile), rates.Render());
        return [UtilityFile, FrontierFile, AnswerRateFile];
    }
}
