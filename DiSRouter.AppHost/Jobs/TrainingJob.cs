using Microsoft.Extensions.Configuration;
using Quartz;

namespace DiSRouter.AppHost.Jobs;

/// <summary>
/// What the app model needs of a configured job ("DiSRouter:Jobs", docs/jobs.md): its name, its agent, where it
/// publishes and its schedule. The training CLI's <c>job run</c> reads and checks the rest (stages, arguments, paths).
/// </summary>
internal sealed record TrainingJob(string Name, string Agent, string Publish, CronExpression? Schedule)
{
    /// <summary>The files a published checkpoint consists of (as the CLI's CheckpointPublisher writes them).</summary>
    private static readonly string[] PublishedFiles = ["config.json", "model.safetensors", "tokenizer.json"];

    public bool HasPublished => PublishedFiles.All(f => File.Exists(Path.Combine(Publish, f)));

    /// <summary>
    /// As for the agents, a --config file that lists jobs replaces the list; one that lists agents but no jobs is
    /// another network, which has no jobs (as the training CLI reads it).
    /// </summary>
    public static IReadOnlyList<TrainingJob> Read(IConfiguration configuration, IConfiguration? overlay, string repositoryRoot)
    {
        var section = overlay?.GetSection("DiSRouter:Jobs") is { } replaced && replaced.Exists() ? replaced
            : overlay?.GetSection("DiSRouter:Agents").Exists() == true ? null
            : configuration.GetSection("DiSRouter:Jobs");
        return section is null ? [] : Read(section, repositoryRoot);
    }

    private static IReadOnlyList<TrainingJob> Read(IConfigurationSection jobs, string repositoryRoot) =>
        jobs.GetChildren()
            .Where(j => !string.IsNullOrWhiteSpace(j["Name"]) && !string.IsNullOrWhiteSpace(j["Agent"]) && !string.IsNullOrWhiteSpace(j["Publish"]))
            .Select(j => new TrainingJob(j["Name"]!, j["Agent"]!, Path.GetFullPath(j["Publish"]!, repositoryRoot),
                string.IsNullOrWhiteSpace(j["Schedule"]) ? null : ParseSchedule(j["Name"]!, j["Schedule"]!)))
            .ToList();


    private static CronExpression ParseSchedule(string job, string schedule)
    {
        try
        {
            return new CronExpression(schedule);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"Job {job}: Schedule \"{schedule}\" is not a Quartz cron expression ({e.Message}).", e);
        }
    }
}
