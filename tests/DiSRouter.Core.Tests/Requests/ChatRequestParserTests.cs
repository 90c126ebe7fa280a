using System.Text;
using DiSRouter.Core.Requests;

namespace DiSRouter.Core.Tests.Requests;

/// <summary>The one reading of a chat completion request that the gateway and the agents share: every rule, each bad input's reason.</summary>
public sealed class ChatRequestParserTests
{
    private const string User = "{\"role\": \"user\", \"content\": \"q\"}";

    private static ChatRequestReading Parse(string json) => ChatRequestParser.Parse(Encoding.UTF8.GetBytes(json));

    private static string With(string fields) => $"{{\"messages\": [{User}], {fields}}}";

    [Theory]
    // syntax and shape
    [InlineData("", "The body is empty")]
    [InlineData("{\"messages\": [", "not valid JSON (line 1")]
    [InlineData("[1, 2]", "must be a JSON object")]
    [InlineData("null", "must be a JSON object")]
    [InlineData("{\"messages\": \"hello\"}", "'messages' has the wrong type: expected an array")]
    [InlineData("{\"messages\": [42]}", "'messages[0]' has the wrong type: expected an object")]
    [InlineData("{\"messages\": [{\"role\": 1, \"content\": \"x\"}]}", "'messages[0].role' has the wrong type: expected a string")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": 42}]}", "'messages[0].content' has the wrong type")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": [1, 2]}]}", "only text content")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\"}]}]}", "only text content")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": \"q\"}], \"alpha\": \"high\"}", "'alpha' has the wrong type: expected a number")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": \"q\"}], \"stream\": \"yes\"}", "'stream' has the wrong type: expected a boolean")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": \"q\"}], \"max_tokens\": 1.5}", "'max_tokens' has the wrong type: expected an integer")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": \"q\"}], \"model\": 7}", "'model' has the wrong type: expected a string")]
    // messages
    [InlineData("{\"model\": \"disrouter\"}", "'messages' is required")]
    [InlineData("{\"messages\": []}", "'messages' is required")]
    [InlineData("{\"messages\": [null]}", "'messages[0]' is null")]
    [InlineData("{\"messages\": [{\"content\": \"x\"}]}", "'messages[0].role' is required")]
    [InlineData("{\"messages\": [{\"role\": \"tool\", \"content\": \"x\"}]}", "'messages[0].role' is 'tool'; supported roles")]
    [InlineData("{\"messages\": [{\"role\": \"user\"}]}", "'messages[0].content' is empty")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": \"  \"}]}", "'messages[0].content' is empty")]
    [InlineData("{\"messages\": [{\"role\": \"system\", \"content\": \"s\"}]}", "must end with a user message")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": \"q\"}, {\"role\": \"assistant\", \"content\": \"a\"}]}", "must end with a user message")]
    public void BadRequestIsRefusedWithTheReason(string json, string reason)
    {
        var sut = Parse(json);

        Assert.Null(sut.Request);
        Assert.Contains(reason, sut.Error);
    }

    [Theory]
    [InlineData("\"max_tokens\": 0", "'max_tokens' must be positive, got 0")]
    [InlineData("\"max_completion_tokens\": -3", "'max_completion_tokens' must be positive, got -3")]
    [InlineData("\"n\": 0", "'n' must lie in [1, 16], got 0")]
    [InlineData("\"n\": 17", "'n' must lie in [1, 16], got 17")]
    [InlineData("\"temperature\": 2.5", "'temperature' must lie in [0, 2], got 2.5")]
    [InlineData("\"temperature\": -0.1", "'temperature' must lie in [0, 2]")]
    [InlineData("\"top_p\": 0", "'top_p' must lie in (0, 1], got 0")]
    [InlineData("\"top_p\": 1.5", "'top_p' must lie in (0, 1]")]
    [InlineData("\"stop\": 5", "'stop' must be a string or an array of strings")]
    [InlineData("\"stop\": [\"a\", 1]", "'stop' must be a string or an array of strings")]
    [InlineData("\"stop\": [\"a\", \"b\", \"c\", \"d\", \"e\"]", "'stop' holds 5 sequences; at most 4")]
    [InlineData("\"stop\": \"\"", "'stop' sequences must not be empty")]
    [InlineData("\"alpha\": 1.5", "'alpha' must lie in [0, 1], got 1.5")]
    [InlineData("\"alpha\": -0.1", "'alpha' must lie in [0, 1]")]
    [InlineData("\"scenario\": \"cheapest\"", "'scenario' is 'cheapest', which is not a scenario; known scenarios are performance-first, balance, cost-first")]
    public void OutOfRangeFieldIsRefusedWithTheReason(string fields, string reason)
    {
        var sut = Parse(With(fields));

        Assert.Null(sut.Request);
        Assert.Contains(reason, sut.Error);
    }

    [Fact]
    public void ValidRequestKeepsEveryFieldAndUnknownOnes()
    {
        var sut = Parse(With("\"model\": \"disrouter\", \"temperature\": 0, \"top_p\": 1, \"n\": 1, \"stop\": [\"\\n\"], \"alpha\": 0.3, \"user\": \"u\""));

        Assert.Null(sut.Error);
        var r = sut.Request!;
        Assert.Equal(("disrouter", 0.0, 1.0, 1, 0.3), (r.Model, r.Temperature!.Value, r.TopP!.Value, r.N!.Value, r.Alpha!.Value));
        Assert.Equal(["\n"], r.StopStrings());
        Assert.True(r.Extra!.ContainsKey("user"));
    }

    [Fact]
    public void TextPartsAreJoinedIntoOneString()
    {
        var sut = Parse("{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"What is \"}, {\"type\": \"text\", \"text\": \"2 + 2?\"}]}]}");

        Assert.Equal("What is 2 + 2?", sut.Request!.Messages[0].Content);
    }

    [Fact]
    public void DeveloperRoleIsReadAsSystem()
    {
        var sut = Parse("{\"messages\": [{\"role\": \"developer\", \"content\": \"Be brief.\"}, " + User + "]}");

        Assert.Equal("system", sut.Request!.Messages[0].Role);
    }

    [Fact]
    public void SystemMessagesAfterTheLastUserTurnStillEndWithTheQuery()
    {
        var sut = Parse("{\"messages\": [" + User + ", {\"role\": \"system\", \"content\": \"Be brief.\"}]}");

        Assert.Null(sut.Error);
    }

    [Theory]
    [InlineData("{\"n\": 2}", "'n' must be 1, got 2")]
    [InlineData("{\"max_tokens\": 15}", "the token limit must be at least 16, got 15")]
    [InlineData("{\"max_tokens\": 100, \"max_completion_tokens\": 8}", "got 8")]
    public void CascadeNeedsOneReplyWithRoomToDecline(string fields, string reason)
    {
        var request = Parse(With(fields.Trim('{', '}'))).Request!;

        Assert.Contains(reason, ChatRequestRules.ValidateForCascade(request));
    }

    [Fact]
    public void CascadeAcceptsAnOrdinaryRequest()
    {
        Assert.Null(ChatRequestRules.ValidateForCascade(Parse(With("\"max_tokens\": 16")).Request!));
    }
}
