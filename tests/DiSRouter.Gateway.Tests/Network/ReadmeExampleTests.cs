using System.Data;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DiSRouter.Gateway.Tests.Network;

/// <summary>
/// Every request body the README shows (its curl commands' -d '...'), sent through the gateway to the committed nano
/// agents over loopback: the answer must be right (the question's arithmetic, computed here) and must be the one the
/// README says it prints.
/// </summary>
public sealed partial class ReadmeExampleTests(NanoNetwork network) : IClassFixture<NanoNetwork>
{
    [Fact]
    public async Task EveryReadmeExampleGetsTheRightAnswerFromTheCommittedAgents()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(NanoNetwork.RepositoryRoot, "README.md"));
        var examples = Curl().Matches(readme).Select(m => (Body: m.Groups["body"].Value, Printed: m.Groups["printed"].Value)).ToList();
        Assert.NotEmpty(examples);

        foreach (var (body, printed) in examples)
        {
            var question = (string)JsonNode.Parse(body)!["messages"]!.AsArray()[^1]!["content"]!;
            var arithmetic = Arithmetic().Match(question);
            Assert.True(arithmetic.Success, $"The README's example asks '{question}'; this test checks arithmetic questions (What is A+B?).");
            var right = Convert.ToInt64(new DataTable().Compute(arithmetic.Groups["expr"].Value, null), System.Globalization.CultureInfo.InvariantCulture);

            using var response = await network.Client.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, text);
            var content = (string)JsonNode.Parse(text)!["choices"]![0]!["message"]!["content"]!;

            Assert.EndsWith($"The final answer is: {right}.", content);
            Assert.Equal($"The final answer is: {right}.", printed);
        }
    }

    [Fact]
    public async Task BidsExampleHearsEveryCommittedAgentBidWhatItsBidScaleMakesOfItsGap()
    {
        var body = """{"model":"disrouter-bids","messages":[{"role":"user","content":"What is 12+7?"}]}""";

        using var response = await network.Client.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var router = JsonNode.Parse(text)!["disrouter"]!["router"]!;
        var bids = router["bids"]!.AsArray();
        Assert.Equal(5, bids.Count);
        for (var k = 1; k <= 5; k++)
        {
            // Each committed bid.json is bound to its committed weights, so every agent bids, as its own scale maps its gap.
            var bid = bids[k - 1]!;
            Assert.True(bid["absent"] is null, $"agent-{k} did not bid: {bid["absent"]}");
            var scale = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(NanoNetwork.RepositoryRoot, "models", "nano-selfaware", $"nano-{k}", "bid.json")))!;
            var gap = (double)bid["logit_gap"]!;
            var expected = 1 / (1 + Math.Exp(-((double)scale["weight"]! * gap + (double)scale["bias"]!)));
            Assert.InRange((double)bid["p_right"]! - expected, -2e-6, 2e-6); // the metadata rounds gap and p_right to 6 places
        }
        var best = bids.MaxBy(b => (double)b!["utility"]!)!;
        Assert.Equal((string?)best["agent"], (string?)router["chosen"]);
        Assert.Equal((string?)best["agent"], (string?)JsonNode.Parse(text)!["disrouter"]!["answered_by"]);
    }

    /// <summary>A curl command's body, then the README's "# prints … The final answer is: N." line under it.</summary>
    [GeneratedRegex(@"-d '(?<body>\{.*?\})'\s*\n\s*# prints[^\n]*?(?<printed>The final answer is: [^\n""]*\.)")]
    private static partial Regex Curl();

    [GeneratedRegex(@"^What is (?<expr>\d+\s*[-+*]\s*\d+)\?$")]
    private static partial Regex Arithmetic();
}
