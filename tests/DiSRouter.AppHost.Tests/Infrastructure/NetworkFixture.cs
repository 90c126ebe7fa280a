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

    public async Task InitializeAsync()
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

    public async Task DisposeAsync()
    {
        await App.StopAsync().WaitAsync(StartTimeout);
        await App.DisposeAsync().AsTask().WaitAsync(StartTimeout);
    }
}
