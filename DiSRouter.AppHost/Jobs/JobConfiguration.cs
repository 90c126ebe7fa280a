using DiSRouter.AppHost.Hosting;
using DiSRouter.AppHost.Topology;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;

namespace DiSRouter.AppHost.Jobs;

/// <summary>Where the jobs are configured: appsettings.json beside the AppHost, then a --config file over it.</summary>
internal static class JobConfiguration
{
    /// <summary>For `job run` and `job list`, which start no network.</summary>
    public static IReadOnlyList<PlannedJob> Load(string? configFile)
    {
        var builder = new ConfigurationBuilder().AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true);
        IConfiguration? overlay = null;
        if (configFile is not null)
        {
            var full = Path.GetFullPath(configFile);
            if (!File.Exists(full)) throw new JobConfigException([$"--config: the file {full} does not exist."]);
            builder.AddJsonFile(full, optional: false);
            overlay = new ConfigurationBuilder().AddJsonFile(full, optional: false).Build();
        }
        return Read(builder.Build(), overlay);
    }

    /// <summary>For the network: its configuration already holds the --config file, the one JSON source that must exist.</summary>
    public static IReadOnlyList<PlannedJob> Read(IConfigurationManager configuration)
    {
        var required = configuration.Sources.OfType<JsonConfigurationSource>().Where(s => !s.Optional).ToList();
        IConfiguration? overlay = null;
        if (required.Count > 0)
        {
            var builder = new ConfigurationBuilder();
            foreach (var source in required) builder.Add(source);
            overlay = builder.Build();
        }
        return Read(configuration, overlay);
    }

    private static IReadOnlyList<PlannedJob> Read(IConfiguration configuration, IConfiguration? overlay) =>
        JobsReader.Read(configuration, overlay, TopologyReader.Read(configuration, overlay).Agents, ServiceBinaries.RepositoryRoot);
}
