using System.ClientModel;
using System.Text.Json.Nodes;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenAI;
using OpenAI.Chat;

namespace DiSRouter.AppHost.Tests.Infrastructure;

/// <summary>
/// The real app model (DiSRouter.AppHost through Aspire.Hosting.Testing) with a subset of the committed nano agents,
/// started once for a test class: agent-1 → agent-2 → agent-3 and the gateway, each its own process.
/// </summary>
public class NetworkFixture : IAsyncLifetime
{
    public const string ApiKey = "e2e-key";

    /// <summary>Starting five processes on a shared two-core machine; a request may run three small models in turn.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromMinutes(2);

    public static readonly string[] Agents = ["agent-1", "agent-2", "agent-3"];

    public DistributedApplication App { get; private set; } = null!;
    public Uri Gateway { get; private set; } = null!;

    protected virtual IEnumerable<string> Arguments => ["--agents", string.Join(',', Agents), "--gateway-port", "0"];

    public virtual async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable("DISROUTER_API_KEY", ApiKey);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.DiSRouter_AppHost>([.. Arguments], Configure)
            .WaitAsync(StartTimeout);
        App = await builder.BuildAsync().WaitAsync(StartTimeout);
        await App.StartAsync().WaitAsync(StartTimeout);
        await App.ResourceNotifications.WaitForResourceHealthyAsync("gateway").WaitAsync(StartTimeout);
        Gateway = App.GetEndpoint("gateway", "http");
    }

    protected virtual void Configure(DistributedApplicationOptions options, HostApplicationBuilderSettings settings)
    {
    }

    public ChatClient Chat(string model) =>
        new(model, new ApiKeyCredential(ApiKey), new OpenAIClientOptions { Endpoint = new Uri(Gateway, "/v1"), NetworkTimeout = RequestTimeout });

    /// <summary>The routing metadata the gateway adds to a completion ("disrouter": α, path, answering agent, cost).</summary>
    public static JsonNode Routing(ClientResult<ChatCompletion> result) =>
        JsonNode.Parse(result.GetRawResponse().Content.ToString())!["disrouter"]!;

    public static IReadOnlyList<string> Path(JsonNode routing) =>
        routing["path"]!.AsArray().Select(h => $"{(string?)h!["agent"]}:{(string?)h["decision"]}").ToList();

    /// <summary>The process the orchestrator started for a resource (for a project, `dotnet run`, whose child is the service).</summary>
    public int Pid(string resource)
    {
        Assert.True(App.ResourceNotifications.TryGetCurrentState(resource, out var current), $"{resource} has no state.");
        return PidOf(current) ?? throw new Xunit.Sdk.XunitException($"{resource} has no process id (state {current.Snapshot.State?.Text}).");
    }

    /// <summary>
    /// SIGKILLs the service's process (the child of the orchestrator's `dotnet run`), as the kernel's OOM killer or a crash
    /// ends it: nobody stopped it. Returns the orchestrator's process id it ran under, to tell its restart apart.
    /// </summary>
    public int KillService(string resource) => SignalService(resource, ProcessTree.SIGKILL);

    /// <summary>
    /// SIGTERMs the service's process, as `kill PID` or a service manager stops it: it shuts down cleanly and exits 0, a
    /// stop the AppHost leaves alone.
    /// </summary>
    public int TerminateService(string resource) => SignalService(resource, ProcessTree.SIGTERM);

    private int SignalService(string resource, int signal)
    {
        var pid = Pid(resource);
        // The service itself (its apphost executable, "DiSRouter.Agents"), not build servers `dotnet run` may have started
        var service = ProcessTree.Descendants(pid).Where(p => ProcessTree.Name(p).StartsWith("DiSRouter.", StringComparison.Ordinal)).ToList();
        Assert.True(service.Count > 0, $"No DiSRouter process below {resource}'s `dotnet run` ({pid}): "
            + string.Join(", ", ProcessTree.Descendants(pid).Select(p => $"{ProcessTree.Name(p)} ({p})")));
        foreach (var p in service) ProcessTree.Signal(p, signal);
        return pid;
    }

    /// <summary>Waits until the resource runs again under another process than <paramref name="killedPid"/> and is healthy.</summary>
    public async Task<ResourceEvent> WaitForRestartAsync(string resource, int killedPid, TimeSpan timeout) =>
        await App.ResourceNotifications.WaitForResourceAsync(resource, e =>
                e.Snapshot.State?.Text == KnownResourceStates.Running
                && e.Snapshot.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy
                && PidOf(e) is { } pid && pid != killedPid)
            .WaitAsync(timeout);

    private static int? PidOf(ResourceEvent e) =>
        e.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } pid
            ? Convert.ToInt32(pid, System.Globalization.CultureInfo.InvariantCulture)
            : null;

    /// <summary>
    /// Stops or starts a resource as the dashboard's buttons do. The orchestrator now and then refuses a stop while the
    /// resource is between states ("Failed to stop resource", seen once in five full runs), so a refusal is tried again
    /// a few times before it fails the test.
    /// </summary>
    public async Task CommandAsync(string resource, string command)
    {
        var commands = App.Services.GetRequiredService<ResourceCommandService>();
        ExecuteCommandResult result;
        var attempt = 0;
        while (!(result = await commands.ExecuteCommandAsync(resource, command).WaitAsync(StartTimeout)).Success && ++attempt < 3)
            await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.True(result.Success, $"{command} {resource} (after {attempt + 1} attempts): {result.Message}");
    }

    public virtual async Task DisposeAsync()
    {
        await App.StopAsync().WaitAsync(StartTimeout);
        await App.DisposeAsync().AsTask().WaitAsync(StartTimeout);
    }
}
