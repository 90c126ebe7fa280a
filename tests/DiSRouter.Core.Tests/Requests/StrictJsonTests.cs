using System.Text;
using DiSRouter.Core.Requests;

namespace DiSRouter.Core.Tests.Requests;

/// <summary>What the JSON reader lets through but a request must not hold, and the content types a request may have.</summary>
public sealed class StrictJsonTests
{
    [Theory]
    [InlineData("{\"a\": \"\\ud800\"}", "lone UTF-16 surrogate")]
    [InlineData("{\"a\": \"\\udfff tail\"}", "lone UTF-16 surrogate")]
    [InlineData("{\"a\": [\"ok\", \"\\ud800\\u0020\"]}", "lone UTF-16 surrogate")]
    [InlineData("{\"\\ud800\": 1}", "a key with a lone UTF-16 surrogate")]
    [InlineData("{\"model\": 1, \"model\": 2}", "\"model\" appears twice")]
    [InlineData("{\"m\": [{\"role\": 1, \"role\": 2}]}", "\"role\" appears twice")]
    [InlineData("{\"a\": 1, \"\\u0061\": 2}", "\"a\" appears twice")] // the same key, escaped
    public void RefusesWhatTheReaderLetsThrough(string json, string reason)
    {
        var error = StrictJson.Check(Encoding.UTF8.GetBytes(json));

        Assert.NotNull(error);
        Assert.Contains(reason, error);
    }

    [Theory]
    [InlineData("{\"a\": \"\\ud83d\\ude00\"}")] // a surrogate pair: one emoji
    [InlineData("{\"a\": {\"b\": 1}, \"c\": {\"b\": 2}}")] // the same key in two objects
    [InlineData("[{\"a\": 1}, {\"a\": 2}]")]
    [InlineData("{\"a\": \"caf\u00e9 \u4e2d\u6587\"}")]
    [InlineData("{\"messages\": [")] // a syntax error is the parser's to report, with its line
    public void AcceptsWhatIsWellFormed(string json) => Assert.Null(StrictJson.Check(Encoding.UTF8.GetBytes(json)));

    [Theory]
    [InlineData(new byte[] { 0x7B, 0xFF, 0x7D }, 2)]
    [InlineData(new byte[] { 0x7B, 0x22, 0xC3, 0x22, 0x7D }, 3)]
    [InlineData(new byte[] { 0x7B, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x7D }, 3)]
    public void InvalidUtf8IsNamedByItsFirstByte(byte[] body, int position) =>
        Assert.Contains($"not valid UTF-8 (byte {position} ", StrictJson.Check(body));

    [Theory]
    [InlineData("application/json", null)]
    [InlineData("application/json; charset=utf-8", null)]
    [InlineData("Application/JSON; charset=\"UTF-8\"", null)]
    [InlineData("application/vnd.api+json", null)]
    [InlineData("text/plain", "'text/plain'")]
    [InlineData("application/x-www-form-urlencoded", "'application/x-www-form-urlencoded'")]
    [InlineData("application/json; charset=utf-16", "charset is 'utf-16'")]
    [InlineData("", "no Content-Type")]
    [InlineData(null, "no Content-Type")]
    [InlineData("json", "cannot be read")]
    public void ContentTypeMustAnnounceUtf8Json(string? contentType, string? reason)
    {
        var error = ChatRequestParser.ContentTypeError(contentType);

        if (reason is null) Assert.Null(error);
        else Assert.Contains(reason, error);
    }
}
