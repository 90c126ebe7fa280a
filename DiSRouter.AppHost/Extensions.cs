using System.Globalization;
using DiSRouter.AppHost.Hosting;
using DiSRouter.AppHost.Jobs;
using DiSRouter.AppHost.Topology;
using Microsoft.Extensions.DependencyInjection;

namespace DiSRouter.AppHost;

internal static class Extensions
{
    /// <summary>
    /// An agent process with its settings as <c>Agent__*</c> variables (the names DiSRouter.Agents binds):
    /// Name, Cost, Backend, Checkpoint or Model/Endpoint/ApiKeyEnv, and Successors__0..n in cascade order.
    /// A local agent that a job trains serves the job's published checkpoint once it exists.
    /// </summary>
    public static ServiceResource AddAgent(this DistributedApplicationBuilder builder, PlannedAgent agent, TrainingJobs jobs)
    {
        var spec = agent.Spec;
        var checkpoint = jobs.ServingCheckpoint(agent, note => ConsoleOutput.Info("note: " + note));
        var resource = builder.AddProject(spec.Name, ServiceBinaries.Agents)
            .WithEnvironment("Agent__Name", spec.Name)
            .WithEnvironment("Agent__Cost", spec.Cost.ToString("R", CultureInfo.InvariantCulture))
            .WithEnvironment("Agent__Backend", spec.Backend)
            .WithEnvironment("Agent__Checkpoint", checkpoint)
            .WithEnvironment("Agent__Model", spec.Model)
            .WithEnvironment("Agent__Endpoint", spec.Endpoint)
            .WithEnvironment("Agent__ApiKeyEnv", spec.ApiKeyEnv);
        for (var i = 0; i < agent.Successors.Count; i++) resource.WithEnvironment($"Agent__Successors__{i}", agent.Successors[i]);
        foreach (var (key, value) in spec.Settings) resource.WithEnvironment("Agent__" + key.Replace(":", "__"), value);

        var model = spec.Backend == "local" ? Path.GetRelativePath(ServiceBinaries.RepositoryRoot, checkpoint ?? "") : $"{spec.Model} at {spec.Endpoint}";
        var next = agent.Successors.Count == 0 ? "last: always answers" : "then " + string.Join(", ", agent.Successors);
        resource.Description = $"{spec.Backend} {model}, cost {spec.Cost.ToString(CultureInfo.InvariantCulture)}, {next}";
        return resource;
    }

    /// <summary>
    /// The network of the plan: the agents in cascade order, each calling its successors by name (the next agent, then
    /// the ones to skip to when it is down), and the gateway, started once every agent answers /health.
    /// </summary>
    public static void AddNetwork(this DistributedApplicationBuilder builder, TrainingJobs jobs)
    {
        var plan = builder.Plan;
        var agents = plan.Agents.ToDictionary(a => a.Name, a => builder.AddAgent(a, jobs));
        foreach (var agent in plan.Agents)
            agents[agent.Name].WithReference(agent.Successors.Select(s => agents[s]));
        if (plan.Agents.Count > 0)
            builder.AddGateway(plan)
                .WithReference(agents.Values)
                .WaitFor(agents.Values);
    }

    /// <summary>The gateway process: its API key, the entry agent and the agents it lists, on the chosen port.</summary>
    public static ServiceResource AddGateway(this DistributedApplicationBuilder builder, NetworkPlan plan)
    {
        var resource = builder.AddProject(NetworkPlan.GatewayName, ServiceBinaries.Gateway, plan.GatewayPort == 0 ? 0 : plan.GatewayPort)
            .WithEnvironment(NetworkPlan.ApiKeyVariable, plan.ApiKey)
            .WithEnvironment("Gateway__EntryAgent", plan.EntryAgent)
            .WithStopOnExit();
        for (var i = 0; i < plan.Agents.Count; i++) resource.WithEnvironment($"Gateway__Agents__{i}", plan.Agents[i].Name);
        foreach (var (key, value) in plan.GatewaySettings) resource.WithEnvironment("Gateway__" + key.Replace(":", "__"), value);
        resource.Description = $"entry {plan.EntryAgent}";
        return resource;
    }

    /// <summary>
    /// The training jobs (DiSRouter:Jobs, see docs/jobs.md), checked before anything starts; those of launched agents
    /// that have a Schedule are fired by a scheduler that runs and stops with the network.
    /// </summary>
    public static TrainingJobs AddJobs(this DistributedApplicationBuilder builder)
    {
        if (builder.Error is not null || builder.Help) return TrainingJobs.None;
        IReadOnlyList<PlannedJob> jobs;
        try
        {
            jobs = JobConfiguration.Read(builder.Host.Configuration);
        }
        catch (JobConfigException e)
        {
            builder.Fail(e.Message);
            return TrainingJobs.None;
        }
        // A publish cut off by a crash is finished before any agent loads its checkpoint (unless a `job run` is at it).
        foreach (var job in jobs.Where(j => CheckpointPublisher.HasUnfinished(j.Publish)))
        {
            using var idle = JobRunner.TryLock(job.Run);
            if (idle is not null) CheckpointPublisher.Recover(job.Publish);
        }
        var launched = jobs.Where(j => builder.Plan.Agents.Any(a => a.Name.Equals(j.Agent, StringComparison.OrdinalIgnoreCase))).ToList();
        foreach (var job in jobs.Except(launched).Where(j => j.Schedule is not null))
            ConsoleOutput.Info($"note: job {job.Name} is not scheduled: its agent {job.Agent} is not launched.");
        builder.Host.Services.AddHostedService(_ => new JobScheduler(launched));
        return new TrainingJobs(jobs);
    }
}
