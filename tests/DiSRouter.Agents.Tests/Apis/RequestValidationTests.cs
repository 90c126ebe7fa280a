using System.Net;
using DiSRouter.Agents.Tests.Support;

namespace DiSRouter.Agents.Tests.Apis;

public sealed class RequestValidationTests(SingleAgent solo) : IClassFixture<SingleAgent>
{
    [Theory]
    [InlineData("", "empty")]
    [InlineData("{\"messages\":[", "not valid JSON")]
    [InlineData("null", "must be a JSON object")]
    [InlineData("{\"messages\":[]}", "at least one message")]
    [InlineData("{\"model\":\"x\"}", "at least one message")]
    [InlineData("{\"messages\":[{\"role\":\"user\",\"content\":[1,2]}]}", "only text content")]
    [InlineData("{\"messages\":[{\"role\":\"user\"}]}", "'messages[0].content' is empty")]
    [InlineData("{\"messages\":[{\"role\":\"tool\",\"content\":\"x\"}]}", "'messages[0].role' is 'tool'")]
    [InlineData("{\"messages\":[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":\"a\"}]}", "end with a user message")]
    [InlineData("{\"messages\":[{\"role\":\"system\",\"content\":\"s\"}]}", "end with a user message")]
    [InlineData("{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"alpha\":1.5}", "'alpha' must lie in [0, 1], got 1.5")]
    [InlineData("{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"alpha\":-0.1}", "'alpha' must lie in [0, 1]")]
    [InlineData("{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"alpha\":\"high\"}", "'alpha' has the wrong type: expected a number")]
    [InlineData("{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"scenario\":\"speed-first\"}", "'scenario' is 'speed-first', which is not a scenario")]
    [InlineData("{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"stream\":\"yes\"}", "'stream' has the wrong type: expected a boolean")]
    [InlineData("{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"n\":2}", "'n' must be 1")]
    [InlineData("{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"temperature\":3}", "'temperature' must lie in [0, 2]")]
    [InlineData("{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"top_p\":0}", "'top_p' must lie in (0, 1]")]
    [InlineData("{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"max_tokens\":0}", "'max_tokens' must be positive")]
    [InlineData("{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"max_completion_tokens\":15}", "the token limit must be at least 16, got 15")]
    [InlineData("{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"stop\":5}", "'stop' must be a string or an array of strings")]
    [InlineData("{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}", "at most 4")]
    public async Task BadCascadeRequestIsRefusedWithTheReason(string body, string reason)
    {
        var sut = await solo.Agent.Client.PostJsonAsync("/v1/chat/completions", body);

        Assert.Equal(HttpStatusCode.BadRequest, sut.Status);
        Assert.Contains(reason, sut.ProblemDetail);
    }

    [Theory]
    [InlineData("X-DiSRouter-Alpha", "abc", "must be a number in [0, 1], got 'abc'")]
    [InlineData("X-DiSRouter-Alpha", "2", "must be a number in [0, 1]")]
    [InlineData("X-DiSRouter-Scenario", "fastest", "is 'fastest', which is not a scenario")]
    [InlineData("X-DiSRouter-Hops", "-1", "must be a non-negative integer")]
    [InlineData("X-DiSRouter-Hops", "many", "must be a non-negative integer")]
    public async Task BadRoutingHeaderIsRefusedWithTheReason(string header, string value, string reason)
    {
        var sut = await solo.Agent.Client.PostJsonAsync("/v1/chat/completions", Http.Chat("q"), (header, value));

        Assert.Equal(HttpStatusCode.BadRequest, sut.Status);
        Assert.Contains(reason, sut.ProblemDetail);
    }

    [Fact]
    public async Task BadRawRequestIsRefusedWithTheReason()
    {
        var sut = await solo.Agent.Client.PostJsonAsync("/raw/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"n\":17}");

        Assert.Equal(HttpStatusCode.BadRequest, sut.Status);
        Assert.Contains("'n' must lie in [1, 16]", sut.ProblemDetail);
    }
}
