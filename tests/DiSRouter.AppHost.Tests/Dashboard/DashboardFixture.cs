using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using DiSRouter.AppHost.Tests.Infrastructure;

namespace DiSRouter.AppHost.Tests.Dashboard;

/// <summary>
/// The network with Aspire's dashboard up, as `dotnet run --project DiSRouter.AppHost` brings it (no login, plain HTTP
/// on loopback), on free ports; the services export their telemetry to it.
/// </summary>
public sealed class DashboardFixture : NetworkFixture
{
    private readonly Uri _requested = new($"http://localhost:{FreePort.Next()}");

    /// <summary>Where the dashboard listens, as the app model reports it.</summary>
    public Uri Dashboard => App.Services.GetRequiredService<DistributedApplicationModel>().Resources
        .Single(r => r.Name == "aspire-dashboard").Annotations.OfType<EndpointAnnotation>()
        .Select(e => e.AllocatedEndpoint).OfType<AllocatedEndpoint>().Select(e => new Uri(e.UriString)).FirstOrDefault() ?? _requested;

    protected override IEnumerable<string> Arguments =>
    [
        .. base.Arguments,
        $"--ASPNETCORE_URLS={_requested}",
        $"--ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL=http://localhost:{FreePort.Next()}",
        "--ASPIRE_ALLOW_UNSECURED_TRANSPORT=true",
        "--ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true",
    ];

    protected override void Configure(DistributedApplicationOptions options, Microsoft.Extensions.Hosting.HostApplicationBuilderSettings settings) =>
        options.DisableDashboard = false;

}
