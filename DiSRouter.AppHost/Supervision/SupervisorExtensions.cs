using DiSRouter.AppHost.Topology;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DiSRouter.AppHost.Supervision;

internal static class SupervisorExtensions
{
    /// <summary>
    /// Agents and the gateway are started again when their process ends without being stopped (see
    /// <see cref="RestartSupervisor"/>; "DiSRouter:Restarts" sets the limits, MaxRestarts 0 turns it off). Jobs are not
    /// supervised: they end when their run is done.
    /// </summary>
    public static void AddRestartSupervisor(this IDistributedApplicationBuilder builder, NetworkPlan plan, IEnumerable<IResource> services)
    {
        var policy = plan.Restarts;
        if (!builder.ExecutionContext.IsRunMode || !policy.Enabled) return;
        var names = services.Select(s => s.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        builder.Services.AddHostedService(sp => new RestartSupervisor(sp, names, policy, sp.GetRequiredService<ILogger<RestartSupervisor>>()));
    }
}
