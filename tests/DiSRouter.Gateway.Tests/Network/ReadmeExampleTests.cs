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

    /// <summary>A curl command's body, then the README's "# prints … The final answer is: N." line under it.</summary>
    [GeneratedRegex(@"-d '(?<body>\{.*?\})'\s*\n\s*# prints[^\n]*?(?<printed>The final answer is: [^\n""]*\.)")]
    private static partial Regex Curl();

    [GeneratedRegex(@"^What is (?<expr>\d+\s*[-+*]\s*\d+)\?$")]
    private static partial Regex Arithmetic();
}
