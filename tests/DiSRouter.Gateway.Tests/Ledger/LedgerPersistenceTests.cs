using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using DiSRouter.Gateway.Ledger;
using DiSRouter.Gateway.Tests.Apis;
using DiSRouter.Gateway.Tests.Infrastructure;

namespace DiSRouter.Gateway.Tests.Ledger;

/// <summary>
/// The books outlive the gateway's process: the real gateway is stopped and a new one started on the same ledger
/// folder (Gateway:Ledger:Directory), and what it shows and refuses is what the first one had booked. A journal line
/// that a crash cut short, or that was damaged, is skipped with a warning.
/// </summary>
public sealed class LedgerPersistenceTests : IDisposable
{
    private const string AdminKey = "admin-key";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "disrouter-ledger-test-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task TotalsAndBudgetRefusalSurviveARestart()
    {
        await using var agent = await new FakeAgent("agent-1", cost: 0.4).StartAsync();
        var settings = Settings(new() { ["Gateway:Ledger:DefaultBudget"] = "1.0" });

        JsonNode before;
        await using (var first = Gateway(agent, settings))
        {
            using var client = first.CreateAuthorizedClient();
            for (var i = 0; i < 3; i++)
            {
                using var response = await client.PostAsync("/v1/chat/completions", Body()).WaitAsync(TestTimeouts.Request);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
            using (var spent = await client.PostAsync("/v1/chat/completions", Body()).WaitAsync(TestTimeouts.Request))
                Assert.Equal(HttpStatusCode.PaymentRequired, spent.StatusCode);
            before = await KeyAsync(first);
        }

        await using var second = Gateway(agent, settings);
        var after = await KeyAsync(second);
        Assert.Equal((3L, 1.2, 30L, 60L), ((long)after["requests"]!, Math.Round((double)after["cost"]!, 9), (long)after["prompt_tokens"]!, (long)after["completion_tokens"]!));
        Assert.Equal(before.ToJsonString(), after.ToJsonString());
        using var again = second.CreateAuthorizedClient();
        using var refused = await again.PostAsync("/v1/chat/completions", Body()).WaitAsync(TestTimeouts.Request);
        await BadRequestTests.AssertProblemAsync(refused, HttpStatusCode.PaymentRequired, "budget of this API key (1 cost units) is spent (1.2 charged)");
        Assert.Equal(3, agent.Requests.Count); // the refusal never reached the agent
    }

    [Fact]
    public async Task JournalOfAKilledGatewayIsReplayedAndItsCutShortOrDamagedLinesAreSkippedWithAWarning()
    {
        await using var agent = await new FakeAgent("agent-1", cost: 0.25).StartAsync();
        var settings = Settings(new() { ["Gateway:Ledger:FlushIntervalSeconds"] = "0.1" });
        var crashed = _directory + "-crashed";
        try
        {
            await using (var first = Gateway(agent, settings))
            {
                using var client = first.CreateAuthorizedClient();
                for (var i = 0; i < 4; i++)
                {
                    using var response = await client.PostAsync("/v1/chat/completions", Body()).WaitAsync(TestTimeouts.Request);
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                }
                // What a SIGKILL leaves: the folder as it is once the bookings were flushed, before any shutdown wrote a snapshot.
                var journal = Path.Combine(_directory, LedgerJournal.JournalFileName);
                var deadline = DateTime.UtcNow + TestTimeouts.Request;
                while (CountLines(journal) < 4 && DateTime.UtcNow < deadline) await Task.Delay(50);
                Directory.CreateDirectory(crashed);
                foreach (var file in Directory.GetFiles(_directory, "ledger.*.json*")) File.Copy(file, Path.Combine(crashed, Path.GetFileName(file)));
            }
            var lines = File.ReadAllLines(Path.Combine(crashed, LedgerJournal.JournalFileName));
            Assert.Equal(4, lines.Length);
            // damage the second booking, and cut a fifth one short as a crash mid-write would
            lines[1] = lines[1][..(lines[1].Length / 2)] + "#garbage";
            File.WriteAllText(Path.Combine(crashed, LedgerJournal.JournalFileName), string.Join('\n', lines) + "\n" + lines[0][..20]);

            await using var second = Gateway(agent, Settings(new() { ["Gateway:Ledger:Directory"] = crashed }));
            var key = await KeyAsync(second);
            Assert.Equal((3L, 0.75), ((long)key["requests"]!, Math.Round((double)key["cost"]!, 9)));
            var skipped = second.Logs.Where(l => l.Contains("not a booking, skipped")).ToList();
            Assert.True(skipped.Count == 2, string.Join("\n", second.Logs));
            Assert.Contains(skipped, l => l.Contains("line 2"));
            Assert.Contains(skipped, l => l.Contains("line 5"));

            // and it goes on booking: the line cut short does not swallow the next one
            using var client2 = second.CreateAuthorizedClient();
            using (var response = await client2.PostAsync("/v1/chat/completions", Body()).WaitAsync(TestTimeouts.Request))
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(4L, (long)(await KeyAsync(second))["requests"]!);
        }
        finally
        {
            if (Directory.Exists(crashed)) Directory.Delete(crashed, recursive: true);
        }
    }

    [Fact]
    public async Task SecondGatewayOnTheSameLedgerFolderRefusesToStartAndSaysWhy()
    {
        await using var agent = await new FakeAgent("agent-1").StartAsync();
        await using var first = Gateway(agent, Settings([]));
        _ = await KeyCountAsync(first);

        await using var second = Gateway(agent, Settings([]));
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => Task.Run(() => second.CreateClient()));
        Assert.Contains("in use by another gateway process", failure.ToString());
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private Dictionary<string, string?> Settings(Dictionary<string, string?> more)
    {
        var settings = new Dictionary<string, string?> { ["Gateway:AdminKeys:0"] = AdminKey, ["Gateway:Ledger:Directory"] = _directory };
        foreach (var (k, v) in more) settings[k] = v;
        return settings;
    }

    private static GatewayFactory Gateway(FakeAgent agent, Dictionary<string, string?> settings) =>
        new(new Dictionary<string, Uri> { ["agent-1"] = agent.Url }, settings);

    private static StringContent Body() => new(GatewayFixture.Chat().ToJsonString(), Encoding.UTF8, "application/json");

    private static int CountLines(string path)
    {
        if (!File.Exists(path)) return 0;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Count(c => c == '\n');
    }

    private static async Task<JsonNode> LedgerAsync(GatewayFactory factory)
    {
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/ledger");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        using var response = await client.SendAsync(request).WaitAsync(TestTimeouts.Request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!;
    }

    private static async Task<JsonNode> KeyAsync(GatewayFactory factory) => (await LedgerAsync(factory))["keys"]!.AsArray().Single()!;

    private static async Task<int> KeyCountAsync(GatewayFactory factory) => (await LedgerAsync(factory))["keys"]!.AsArray().Count;
}
