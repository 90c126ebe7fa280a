using DiSRouter.AppHost.Topology;

namespace DiSRouter.AppHost.Jobs;

/// <summary>The configured jobs as the launched network sees them: which checkpoint each agent serves.</summary>
internal sealed class TrainingJobs(IReadOnlyList<PlannedJob> jobs)
{
    public static readonly TrainingJobs None = new([]);

    public IReadOnlyList<PlannedJob> All => jobs;

    /// <summary>
    /// A local agent that a job trains serves the job's published checkpoint once there is one (its directory is then
    /// watched, so later publishes reload in place); until then it serves its configured checkpoint.
    /// </summary>
    public string? ServingCheckpoint(PlannedAgent agent, Action<string> note)
    {
        if (agent.Spec.Backend != "local") return agent.CheckpointPath;
        var job = jobs.FirstOrDefault(j => j.Agent.Equals(agent.Name, StringComparison.OrdinalIgnoreCase));
        if (job is null || job.Publish == agent.CheckpointPath) return agent.CheckpointPath;
        if (CheckpointPublisher.Files.All(f => File.Exists(Path.Combine(job.Publish, f)))) return job.Publish;
        note($"{agent.Name} serves its configured checkpoint until job {job.Name} first publishes {job.Publish}; restart the network then to serve it.");
        return agent.CheckpointPath;
    }
}
