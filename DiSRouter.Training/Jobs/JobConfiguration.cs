using Microsoft.Extensions.Configuration;

namespace DiSRouter.Training.Jobs;

/// <summary>
/// Where the jobs are configured: the AppHost's appsettings.json ("DiSRouter:Jobs"), then a --config file over it.
/// Relative paths in it start at the repository root, the folder above the AppHost's.
/// </summary>
internal static class JobConfiguration
{
    public const string SettingsFile = "DiSRouter.AppHost/appsettings.json";

    public static (IReadOnlyList<PlannedJob> Jobs, string RepositoryRoot) Load(string? settingsFile, string? configFile)
    {
        var settings = Path.GetFullPath(settingsFile ?? FindSettings());
        if (!File.Exists(settings)) throw new JobConfigException([$"--settings: the file {settings} does not exist."]);
        var root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(settings)!, ".."));
        var builder = new ConfigurationBuilder().AddJsonFile(settings, optional: false);
        IConfiguration? overlay = null;
        if (configFile is not null)
        {
            var full = Path.GetFullPath(configFile);
            if (!File.Exists(full)) throw new JobConfigException([$"--config: the file {full} does not exist."]);
            builder.AddJsonFile(full, optional: false);
            overlay = new ConfigurationBuilder().AddJsonFile(full, optional: false).Build();
        }
        var configuration = builder.Build();
        return (JobsReader.Read(configuration, overlay, TopologyAgent.Read(configuration, overlay), root), root);
    }

    /// <summary>The checkout around the working directory: the first folder upwards that holds the AppHost's settings.</summary>
    private static string FindSettings()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, SettingsFile))) return Path.Combine(dir.FullName, SettingsFile);
        throw new JobConfigException([$"No {SettingsFile} above {Environment.CurrentDirectory}: run from the checkout or pass --settings FILE."]);
    }
}
