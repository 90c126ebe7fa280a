using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using DiSRouter.AppHost.Topology;

namespace DiSRouter.AppHost.Hosting;

/// <summary>The launched network: runs the services under a generic host until Ctrl+C or SIGTERM, then stops them all.</summary>
internal sealed class DistributedApplication(DistributedApplicationBuilder builder)
{
    /// <summary>0 after a clean stop, 1 when the launch failed or the front door died, 2 for a bad command line or topology.</summary>
    public async Task<int> RunAsync()
    {
        if (builder.Help)
        {
            Console.Out.WriteLine(LaunchArguments.Usage);
            return 0;
        }
        if (builder.Error is { } error)
        {
            ConsoleOutput.Error(error);
            return 2;
        }

        var outcome = new LaunchOutcome();
        using var host = BuildHost(builder, outcome);
        await host.RunAsync();
        return outcome.ExitCode;
    }

    /// <summary>The generic host that supervises the builder's services; <paramref name="outcome"/> receives the exit code.</summary>
    public static IHost BuildHost(DistributedApplicationBuilder builder, LaunchOutcome outcome)
    {
        builder.Host.Services.AddSingleton(outcome);
        builder.Host.Services.AddSingleton(builder.Resources);
        builder.Host.Services.AddSingleton(builder.Plan);
        builder.Host.Services.AddHostedService<ServiceSupervisor>();
        builder.Host.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Host.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(20));
        return builder.Host.Build();
    }
}

internal sealed class LaunchOutcome
{
    public int ExitCode { get; set; }
}
