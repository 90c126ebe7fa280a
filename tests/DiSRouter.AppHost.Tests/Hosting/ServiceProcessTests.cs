using System.Diagnostics;
using DiSRouter.AppHost.Hosting;
using DiSRouter.AppHost.Tests.Infrastructure;

namespace DiSRouter.AppHost.Tests.Hosting;

/// <summary>The launcher's process handling, with the real gateway dll as the child service.</summary>
public sealed class ServiceProcessTests
{
    [Fact]
    public async Task ChildBecomesHealthyAndStopsCleanlyOnSigterm()
    {
        var resource = Gateway();
        await using var sut = ServiceProcess.Start(resource, Environment(resource, "some-key"));
        using var http = new HttpClient();

        Assert.True(await sut.WaitHealthyAsync(http, TestDotnet.Start, CancellationToken.None).WaitAsync(TestDotnet.Start), string.Join("\n", sut.Tail()));
        using var models = new HttpRequestMessage(HttpMethod.Get, new Uri(resource.Url, "/v1/models")) { Headers = { { "Authorization", "Bearer some-key" } } };
        using var response = await http.SendAsync(models).WaitAsync(TestDotnet.Request);
        Assert.True(response.IsSuccessStatusCode);

        var pid = sut.Id;
        await sut.StopAsync().WaitAsync(TestDotnet.Stop);

        Assert.True(sut.HasExited);
        Assert.Equal(0, sut.ExitCode); // a graceful stop, not a kill
        Assert.Contains(sut.Tail(), l => l.Contains("Application is shutting down"));
        await TestDotnet.AssertAllGoneAsync([pid], TestDotnet.Stop);
    }

    [Fact]
    public async Task ChildThatExitsAtStartIsReportedNotAwaitedForever()
    {
        var resource = Gateway();
        // No API key: the gateway refuses to start.
        await using var sut = ServiceProcess.Start(resource, Environment(resource, null));
        using var http = new HttpClient();

        var healthy = await sut.WaitHealthyAsync(http, TestDotnet.Start, CancellationToken.None).WaitAsync(TestDotnet.Start);

        Assert.False(healthy);
        Assert.True(sut.HasExited);
        Assert.NotEqual(0, sut.ExitCode);
        Assert.Contains(sut.Tail(), l => l.Contains("No API key"));
    }

    [Fact]
    public async Task ChildStopsByItselfWhenItsParentDies()
    {
        // Stand-in for an AppHost killed with SIGKILL: a parent process we can kill at will.
        using var parent = Process.Start(new ProcessStartInfo("sleep", "300") { UseShellExecute = false })!;
        var resource = Gateway();
        var env = new Dictionary<string, string>(Environment(resource, "k")) { [ServiceSupervisor.ParentPidVariable] = parent.Id.ToString() };
        await using var sut = ServiceProcess.Start(resource, env);
        using var http = new HttpClient();
        Assert.True(await sut.WaitHealthyAsync(http, TestDotnet.Start, CancellationToken.None).WaitAsync(TestDotnet.Start), string.Join("\n", sut.Tail()));

        parent.Kill();
        await parent.WaitForExitAsync().WaitAsync(TestDotnet.Stop);

        await sut.Exited.WaitAsync(TestDotnet.Stop);
        Assert.Contains(sut.Tail(), l => l.Contains($"Parent process {parent.Id} is gone"));
    }

    private static ServiceResource Gateway() =>
        new("gateway", ServiceBinaries.PathOf(ServiceBinaries.Gateway), FreePorts.Next(), fixedPort: false);

    private static Dictionary<string, string> Environment(ServiceResource resource, string? apiKey)
    {
        var env = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = resource.Url.ToString().TrimEnd('/'),
            ["Logging__Console__FormatterName"] = "simple",
            ["Logging__Console__FormatterOptions__SingleLine"] = "true",
            ["DISROUTER_API_KEY"] = apiKey ?? "",
        };
        return env;
    }
}
