using DiSRouter.AppHost.Topology;
using Microsoft.Extensions.DependencyInjection;

namespace DiSRouter.AppHost.Jobs;

internal static class JobResources
{
    public const string RunNowCommand = "run-job";

    /// <summary>
    /// Each launched agent's training job as a resource: the training CLI's <c>job run NAME</c>, not started with the
    /// network but on demand (the dashboard's "Run now" command or Start button) or by its schedule. Its stages' output
    /// is the resource's console log; it publishes atomically into the agent's serving directory, which the agent reloads.
    /// </summary>
    public static void AddTrainingJobs(this IDistributedApplicationBuilder builder, NetworkPlan plan,
        IReadOnlyList<IResourceBuilder<ProjectResource>> agents)
    {
        var settings = Path.Combine(builder.AppHostDirectory, "appsettings.json");
        var scheduled = new List<(IResource Job, Quartz.CronExpression Schedule)>();
        foreach (var job in plan.Jobs)
        {
            if (agents.FirstOrDefault(a => a.Resource.Name.Equals(job.Agent, StringComparison.OrdinalIgnoreCase)) is not { } agent) continue;
            List<string> args = ["job", "run", job.Name, "--settings", settings];
            if (plan.ConfigFile is { } config) args.AddRange(["--config", Path.GetFullPath(config)]);
            var resource = builder.AddProject<Projects.DiSRouter_Training>(job.Name)
                .WithArgs([.. args])
                .WithExplicitStart()
                .ExcludeFromManifest() // training runs beside the local network; deployed agents get checkpoints another way (docs/deploy.md)
                .WithParentRelationship(agent)
                .WithCommand(RunNowCommand, "Run now", context => StartAsync(context.Services, context.ResourceName, context.CancellationToken),
                    new CommandOptions
                    {
                        Description = $"Train {job.Agent} now: sample, SFT, RL, calibrate, then publish to its serving directory",
                        IconName = "Play",
                        UpdateState = c => c.ResourceSnapshot.State?.Text is "Running" or "Starting" ? ResourceCommandState.Disabled : ResourceCommandState.Enabled,
                    });
            if (job.Schedule is { } schedule) scheduled.Add((resource.Resource, schedule));
        }
        if (scheduled.Count > 0 && builder.ExecutionContext.IsRunMode)
            builder.Services.AddHostedService(sp => new JobSchedule(scheduled, sp));
    }

    /// <summary>Starts the job's resource as the dashboard's Start button does.</summary>
    public static async Task<ExecuteCommandResult> StartAsync(IServiceProvider services, string resourceName, CancellationToken ct) =>
        await services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(resourceName, KnownResourceCommands.StartCommand, ct);
}
