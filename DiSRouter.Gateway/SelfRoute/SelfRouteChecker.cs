using Microsoft.Extensions.Options;

namespace DiSRouter.Gateway.SelfRoute;

/// <summary>Checks the Self-Route state at start and every <see cref="SelfRouteSettings.CheckIntervalSeconds"/> after.</summary>
internal sealed class SelfRouteChecker(SelfRouteService selfRoute, IOptionsMonitor<GatewayOptions> options) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await selfRoute.CheckAsync(stoppingToken);
                await Task.Delay(TimeSpan.FromSeconds(Math.Max(0.1, options.CurrentValue.SelfRoute.CheckIntervalSeconds)), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
