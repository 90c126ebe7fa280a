using System.Diagnostics;
using System.Text.Json.Nodes;

namespace DiSRouter.AppHost.Tests.Publishing;

/// <summary>
/// The manifest azd reads (`dotnet run --project DiSRouter.AppHost -- --publisher manifest --output-path …`), published
/// offline by the real AppHost: what Azure Container Apps would be given.
/// </summary>
public sealed class ManifestTests(PublishedManifest manifest) : IClassFixture<PublishedManifest>
{
    private static readonly string[] Agents = ["agent-1", "agent-2", "agent-3", "agent-4", "agent-5"];

    private JsonObject Resources => manifest.Resources;

    [Fact]
    public void EveryAgentAndTheGatewayAreProjects()
    {
        foreach (var name in Agents.Append("gateway"))
            Assert.Equal("project.v0", (string?)Resources[name]?["type"]);
    }

    [Fact]
    public void EachAgentReferencesItsSuccessorsInCascadeOrder()
    {
        for (var i = 0; i < Agents.Length; i++)
        {
            var env = Env(Agents[i]);
            var successors = Agents.Skip(i + 1).ToList();
            for (var j = 0; j < successors.Count; j++)
            {
                Assert.Equal(successors[j], (string?)env[$"Agent__Successors__{j}"]);
                Assert.Equal($"{{{successors[j]}.bindings.http.url}}", (string?)env[$"services__{successors[j]}__http__0"]);
            }
            Assert.Null(env[$"Agent__Successors__{successors.Count}"]);
        }
    }

    [Fact]
    public void EachAgentWaitsForEachSuccessorItsCommitTimeoutFromTheTopology()
    {
        // the committed topology's agents are all local: 30 s each (a hosted one would get 120 s)
        for (var i = 0; i < Agents.Length; i++)
        {
            var env = Env(Agents[i]);
            foreach (var successor in Agents.Skip(i + 1))
                Assert.Equal("30", (string?)env[$"Agent__SuccessorTimeouts__{successor}"]);
        }
        Assert.Null(Env("gateway")["Gateway__Ledger__Directory"]); // published: the container's own folder, on a volume
    }

    [Fact]
    public void GatewayReferencesEveryAgentAndEntersAtTheFirst()
    {
        var env = Env("gateway");

        Assert.Equal("agent-1", (string?)env["Gateway__EntryAgent"]);
        Assert.Equal("models/nano-selfaware/self-route.json", (string?)env["Gateway__SelfRoute__RouterFile"]);
        Assert.All(Agents, a => Assert.Equal($"{{{a}.bindings.http.url}}", (string?)env[$"services__{a}__http__0"]));
    }

    [Fact]
    public void ApiKeyIsASecretParameterAndNeverItsLocalDefault()
    {
        var key = Resources["api-key"]!;

        Assert.Equal("parameter.v0", (string?)key["type"]);
        Assert.True((bool)key["inputs"]!["value"]!["secret"]!);
        Assert.Equal("{api-key.value}", (string?)Env("gateway")["DISROUTER_API_KEY"]);
        Assert.DoesNotContain("disrouter-local", Resources.ToJsonString());
    }

    [Fact]
    public void OnlyTheGatewayIsExternal()
    {
        var external = Resources
            .Where(r => r.Value!["bindings"]?.AsObject().Any(b => (bool?)b.Value!["external"] == true) == true)
            .Select(r => r.Key);

        Assert.Equal(["gateway"], external);
    }

    [Fact]
    public void CheckpointsAreRelativeToTheContainerAndJobsStayLocal()
    {
        Assert.All(Agents, a => Assert.StartsWith("models/", (string?)Env(a)["Agent__Checkpoint"]));
        Assert.DoesNotContain(Resources, r => r.Key.StartsWith("selfaware-", StringComparison.Ordinal));
    }

    private JsonObject Env(string resource) => Resources[resource]!["env"]!.AsObject();
}

/// <summary>The manifest, published once for the test class.</summary>
public sealed class PublishedManifest : IAsyncLifetime
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(2);

    private readonly string _directory = Directory.CreateTempSubdirectory("disrouter-manifest-").FullName;

    public JsonObject Resources { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var path = Path.Combine(_directory, "aspire-manifest.json");
        // From the AppHost's folder, as `dotnet run --project DiSRouter.AppHost` (what azd runs) starts it.
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.Combine(Infrastructure.Repository.Root, "DiSRouter.AppHost"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in (string[])[Path.Combine(AppContext.BaseDirectory, "DiSRouter.AppHost.dll"), "--publisher", "manifest", "--output-path", path])
            info.ArgumentList.Add(arg);
        info.Environment.Remove("DISROUTER_API_KEY"); // a published key is never the local default
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(PublishTimeout);
        Assert.True(process.ExitCode == 0, $"publish exited {process.ExitCode}: {await output}{await errors}");
        Resources = JsonNode.Parse(await File.ReadAllTextAsync(path).WaitAsync(PublishTimeout))!["resources"]!.AsObject();
    }


    public Task DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }
}
