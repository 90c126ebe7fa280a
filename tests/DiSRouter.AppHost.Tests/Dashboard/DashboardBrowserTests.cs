using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using DiSRouter.AppHost.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace DiSRouter.AppHost.Tests.Dashboard;

/// <summary>
/// The dashboard in a real browser (Debian's chromium driven by Playwright; no browser is downloaded): the agents on
/// the resources page, and one request's trace across the gateway and two agents. The trace's screenshot goes to the
/// test's output folder; with DISROUTER_DOCS_SCREENSHOT=1 it replaces docs/dashboard-trace.png (how that file is made),
/// so that an ordinary test run leaves the checkout as it was.
/// </summary>
public sealed class DashboardBrowserTests(DashboardFixture network) : IClassFixture<DashboardFixture>
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly TimeSpan PageTimeout = TimeSpan.FromMinutes(2);

    private static readonly string[] Queries =
    [
        "Who wrote the fable of the ant?", "What is 123 * 47?", "Which word means the opposite of cold?", "If x = 3 and y = x + 4, what is y?",
        "What is 17 + 25?", "What is 9 - 4?",
    ];

    [Fact]
    public async Task ResourcesPageListsTheAgentsAndTheGatewayAndATraceSpansTwoAgents()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install -y chromium (.ci/run does).");
        var traceId = await TwoHopTraceAsync();

        using var playwright = await Playwright.CreateAsync().WaitAsync(PageTimeout);
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] })
            .WaitAsync(PageTimeout);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1600, Height = 900 } }).WaitAsync(PageTimeout);
        page.SetDefaultTimeout((float)PageTimeout.TotalMilliseconds);

        var names = string.Join(", ", network.App.Services.GetRequiredService<Aspire.Hosting.ApplicationModel.DistributedApplicationModel>().Resources.Select(r => r.Name));
        Assert.True(names.Contains("aspire-dashboard"), "resources: " + names);
        await page.GotoAsync(new Uri(network.Dashboard, "/").ToString()).WaitAsync(PageTimeout);
        foreach (var name in NetworkFixture.Agents.Append("gateway"))
            await page.GetByText(name, new() { Exact = true }).First.WaitForAsync().WaitAsync(PageTimeout);

        // The trace's page lists a row per span, each named by its resource: it shows once every service has exported.
        var trace = new Uri(network.Dashboard, $"/traces/detail/{traceId}").ToString();
        var deadline = Stopwatch.StartNew();
        string text;
        do
        {
            await page.GotoAsync(trace).WaitAsync(PageTimeout);
            await page.WaitForTimeoutAsync(2000).WaitAsync(PageTimeout);
            text = await page.InnerTextAsync("body").WaitAsync(PageTimeout);
        } while (!(text.Contains("gateway") && text.Contains("agent-1") && text.Contains("agent-2")) && deadline.Elapsed < PageTimeout);

        Assert.Contains("gateway", text);
        Assert.Contains("agent-1", text);
        Assert.Contains("agent-2", text);
        var screenshot = Environment.GetEnvironmentVariable("DISROUTER_DOCS_SCREENSHOT") == "1"
            ? Path.Combine(Repository.Root, "docs", "dashboard-trace.png")
            : Path.Combine(AppContext.BaseDirectory, "dashboard-trace.png");
        await page.ScreenshotAsync(new() { Path = screenshot }).WaitAsync(PageTimeout);
        Assert.True(new FileInfo(screenshot).Length > 10_000, $"{screenshot} is too small to show the trace");
    }

    /// <summary>Sends queries with our own trace ids until one is rejected by agent-1 and answered further on.</summary>
    private async Task<string> TwoHopTraceAsync()
    {
        // A caller from another process: the traceparent we write is the one sent (this process's HttpClient instrumentation would replace it).
        using var http = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { BaseAddress = network.Gateway };
        foreach (var query in Queries)
        {
            var traceId = ActivityTraceId.CreateRandom().ToHexString();
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = new StringContent(new JsonObject
                {
                    ["model"] = "disrouter-cost-first",
                    ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = query }),
                }.ToJsonString(), Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new("Bearer", NetworkFixture.ApiKey);
            request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
            using var response = await http.SendAsync(request).WaitAsync(NetworkFixture.RequestTimeout);
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync().WaitAsync(NetworkFixture.RequestTimeout))!;
            if (body["disrouter"]?["path"]?.AsArray().Count >= 2) return traceId;
        }
        throw new Xunit.Sdk.XunitException($"agent-1 answered every one of {Queries.Length} queries at α = 0.8; the test needs one it rejects.");
    }
}
