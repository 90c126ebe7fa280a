using System.Net.Http.Headers;
using System.Text;
using DiSRouter.AppHost.Tests.Infrastructure;
using Xunit.Abstractions;

namespace DiSRouter.AppHost.Tests.EndToEnd;

/// <summary>
/// The AppHost run as its own process, ended as a service manager or a user ends it: SIGTERM (what Ctrl+C amounts to)
/// stops every process it started; SIGKILL gives it no chance, and the orchestrator, which watches the AppHost's process,
/// cleans up after it.
/// </summary>
public sealed class AppHostSignalTests(ITestOutputHelper output)
{
    /// <summary>The time the services get to stop; stated in docs/deploy.md.</summary>
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    /// <summary>What runs below the AppHost, by the kernel's (15-character) names.</summary>
    private static readonly string[] Expected = ["dcp", "Aspire.Dashboar", "DiSRouter.Agent", "DiSRouter.Gatew"];

    [Fact]
    public async Task SigtermStopsEveryProcessTheAppHostStarted()
    {
        await using var apphost = await AppHostProcess.StartAsync("--agents", "agent-1");
        await AnswersAsync(apphost);
        var tree = TreeWithEverything(apphost);

        apphost.Signal(ProcessTree.SIGTERM);
        var gone = await AppHostProcess.WaitUntilGoneAsync(tree.Select(t => t.Pid).Append(apphost.Pid), StopTimeout);

        var left = tree.Where(t => ProcessTree.IsAlive(t.Pid)).ToList();
        output.WriteLine(gone is { } t ? $"all {tree.Count + 1} processes gone {t.TotalSeconds:0.0} s after SIGTERM" : "left: " + string.Join(", ", left));
        Assert.True(gone is not null, $"{left.Count} processes still ran {StopTimeout.TotalSeconds} s after SIGTERM: {string.Join(", ", left)}\n{apphost.Output}");
    }

    [Fact]
    public async Task AfterSigkillOfTheAppHostTheOrchestratorStopsTheServices()
    {
        await using var apphost = await AppHostProcess.StartAsync("--agents", "agent-1");
        await AnswersAsync(apphost);
        var tree = TreeWithEverything(apphost);

        apphost.Signal(ProcessTree.SIGKILL);
        var gone = await AppHostProcess.WaitUntilGoneAsync(tree.Select(t => t.Pid), StopTimeout);

        var left = tree.Where(t => ProcessTree.IsAlive(t.Pid)).ToList();
        output.WriteLine(gone is { } t ? $"all {tree.Count} processes gone {t.TotalSeconds:0.0} s after SIGKILL of the AppHost" : "left: " + string.Join(", ", left));
        Assert.True(gone is not null, $"{left.Count} processes still ran {StopTimeout.TotalSeconds} s after the AppHost was killed: {string.Join(", ", left)}");
    }

    private List<(int Pid, string Name)> TreeWithEverything(AppHostProcess apphost)
    {
        var tree = apphost.Tree().ToList();
        output.WriteLine("process tree: " + string.Join(", ", tree.Select(t => $"{t.Name} ({t.Pid})")));
        foreach (var name in Expected) Assert.Contains(tree, t => t.Name == name);
        return tree;
    }

    private static async Task AnswersAsync(AppHostProcess apphost)
    {
        using var http = new HttpClient { BaseAddress = apphost.Gateway, Timeout = NetworkFixture.RequestTimeout };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"disrouter-balance","messages":[{"role":"user","content":"What is 12+7?"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", NetworkFixture.ApiKey);
        using var response = await http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}
