using System.Text.Json;
using System.Text.Json.Nodes;
using DiSRouter.AppHost.Tests.Infrastructure;

namespace DiSRouter.AppHost.Tests.Bench;

/// <summary>
/// `AppHost bench` for real: it launches the network itself (two hosted agents scripted by a fake model server, so
/// agent-1 always rejects and agent-2 answers), loads it over loopback, prints JSON lines and stops every child.
/// </summary>
public sealed class NetworkBenchRunTests
{
    [Fact]
    public async Task ShortRunPrintsEveryFigureWritesTheDocsSectionAndLeavesNoChildRunning()
    {
        await using var models = await new FakeModelServer(new Dictionary<string, string>
        {
            ["small"] = "I don't know!",
            ["medium"] = FakeModelServer.Answer,
        }).StartAsync();
        using var topology = new TopologyFile(new JsonObject
        {
            ["Agents"] = new JsonArray(
                TopologyFile.HostedAgent("agent-1", 0.1, models, "small"),
                TopologyFile.HostedAgent("agent-2", 0.4, models, "medium")),
        });
        var docs = Path.Combine(topology.Directory, "benchmarks.md");
        await File.WriteAllTextAsync(docs, "# Benchmarks\n\n## Engine\n\nengine figures\n");

        await using var sut = AppHostProcess.Start(
            ["bench", "--config", topology.Path, "--requests", "6", "--concurrency", "1,2", "--warmup", "1", "--json", "--markdown", docs],
            new Dictionary<string, string?> { ["FAKE_MODEL_KEY"] = "fake", ["DISROUTER_API_KEY"] = "bench-key" });

        Assert.Equal(0, await sut.WaitForExitAsync(TestDotnet.Start + TestDotnet.Stop));
        await TestDotnet.AssertAllGoneAsync(sut.Children.Values, TestDotnet.Stop);
        Assert.Equal(["agent-1", "agent-2", "gateway"], sut.Children.Keys.Order());

        var figures = sut.Lines.Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        JsonElement Figure(string name, int concurrency, string? agent = null) => figures.Single(f =>
            f.GetProperty("figure").GetString() == name && f.GetProperty("concurrency").GetInt32() == concurrency &&
            (agent is null || f.GetProperty("agent").GetString() == agent));

        foreach (var c in new[] { 1, 2 })
        {
            var throughput = Figure("throughput_rps", c);
            Assert.Equal(6, throughput.GetProperty("succeeded").GetInt32());
            Assert.True(throughput.GetProperty("value").GetDouble() > 0);

            // Every request passes both agents: 12 hops, one forward each.
            var hops = Figure("hop_overhead_ms", c, "all");
            Assert.Equal(12, hops.GetProperty("count").GetInt32());
            Assert.InRange(hops.GetProperty("p50").GetDouble(), -0.01, hops.GetProperty("p99").GetDouble());
            var routing = Figure("routing_per_hop_ms", c);
            Assert.Equal(12, routing.GetProperty("count").GetInt32());
            // PASS or FAIL depends on the machine; the test only asks that a verdict is given.
            Assert.True(routing.GetProperty("pass").ValueKind is JsonValueKind.True or JsonValueKind.False);
            var between = Figure("between_hops_ms", c);
            Assert.Equal(6, between.GetProperty("count").GetInt32());
            Assert.True(between.GetProperty("p50").GetDouble() > 0); // a loopback HTTP call takes time
            Assert.True(Figure("gateway_overhead_ms", c).GetProperty("p50").GetDouble() > 0);
            Assert.True(Figure("client_latency_ms", c).GetProperty("p99").GetDouble() > 0);

            var first = Figure("hop_overhead_ms", c, "agent-1");
            Assert.Equal((0, 6), (first.GetProperty("answers").GetInt32(), first.GetProperty("rejections").GetInt32()));
            Assert.Equal("n/a (0 answers)", Figure("rejection_share", c, "agent-1").GetProperty("text").GetString());
            Assert.Equal("n/a (0 rejections)", Figure("rejection_share", c, "agent-2").GetProperty("text").GetString());
        }

        var written = await File.ReadAllTextAsync(docs);
        Assert.Contains("## Engine\n\nengine figures", written);
        Assert.Contains("## Network", written);
        Assert.Contains("-- bench --config", written);
    }
}
