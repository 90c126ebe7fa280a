using System.Net.Http.Headers;
using System.Text;

namespace DiSRouter.Tests.Fuzzing;

/// <summary>
/// Random and mutated chat requests for the fuzz tests of the gateway and the agents (this file is linked into both
/// test projects): bodies (valid ones with bytes flipped, cut, duplicated, a field replaced by a value of another type;
/// random bytes; hostile JSON), headers (content types, α, scenario, hop count, keys) and encodings (UTF-16, Latin-1,
/// a claimed gzip), and now and then a wrong method or path. Deterministic for a given Random.
/// </summary>
internal static class RequestFuzzer
{
    private static readonly string[] Valid =
    [
        "{\"model\":\"disrouter\",\"messages\":[{\"role\":\"user\",\"content\":\"What is 47+38?\"}]}",
        "{\"model\":\"disrouter-cost-first\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Capital of France?\"}],\"stream\":true}",
        "{\"model\":\"agent-2\",\"alpha\":0.3,\"max_tokens\":64,\"temperature\":0.5,\"stop\":[\"\\n\"],\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"2+2?\"}]}]}",
    ];

    private static readonly string?[] ContentTypes =
    [
        "application/json", "application/json", "application/json", "application/json; charset=utf-8", "text/plain",
        "application/x-www-form-urlencoded", "multipart/form-data; boundary=zz", "application/json; charset=utf-16",
        "application/xml", "application/problem+json", "*/*", null,
    ];

    private static readonly string[] Hostile =
    [
        "{\"messages\":[{\"role\":\"user\",\"content\":\"\\ud800\"}]}", "{\"model\":\"a\",\"model\":\"b\",\"messages\":[]}",
        "{\"messages\":" + new string('[', 5000) + new string(']', 5000) + "}", "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"alpha\":1e999}",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"max_tokens\":99999999999999999999}", "{\"messages\":null}",
        "{\"messages\":[{\"role\":\"user\",\"content\":{\"x\":1}}]}", "\"just a string\"", "true", "1", "{}", "{\"messages\":[{}]}",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"n\":-1}", "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"stop\":[1]}",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]} trailing", "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"},]}",
        "/* comment */ {\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}", "\uFEFF{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"q\u0000\"}]}", "{\"messages\":[{\"role\":\"developer\",\"content\":\"d\"}]}",
    ];

    /// <param name="path">The chat route under test.</param>
    public static HttpRequestMessage Request(Random random, int i, string path = "/v1/chat/completions")
    {
        var method = random.Next(20) switch { 0 => HttpMethod.Get, 1 => HttpMethod.Put, 2 => HttpMethod.Patch, _ => HttpMethod.Post };
        var request = new HttpRequestMessage(method, random.Next(30) == 0 ? path + "/x" : path);
        if (method != HttpMethod.Get)
        {
            var content = new ByteArrayContent(Body(random));
            if (ContentTypes[random.Next(ContentTypes.Length)] is { } type) content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
            if (random.Next(15) == 0) content.Headers.ContentEncoding.Add("gzip"); // claimed, not applied
            request.Content = content;
        }
        if (random.Next(6) == 0) request.Headers.TryAddWithoutValidation("X-DiSRouter-Alpha", Pick(random, "0.5", "-1", "2", "NaN", "abc", "", " 0.2 ", "1e-400"));
        if (random.Next(6) == 0) request.Headers.TryAddWithoutValidation("X-DiSRouter-Scenario", Pick(random, "balance", "nope", "", "cost-first"));
        if (random.Next(6) == 0) request.Headers.TryAddWithoutValidation("X-DiSRouter-Hops", Pick(random, "0", "99", "-3", "x"));
        if (random.Next(25) == 0) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "guess-" + i);
        if (random.Next(40) == 0) request.Headers.Remove("Authorization");
        return request;
    }

    private static byte[] Body(Random random)
    {
        var valid = Encoding.UTF8.GetBytes(Valid[random.Next(Valid.Length)]);
        switch (random.Next(10))
        {
            case 0: return valid;
            case 1: // bytes flipped
                var flipped = (byte[])valid.Clone();
                for (var k = random.Next(1, 6); k > 0; k--) flipped[random.Next(flipped.Length)] = (byte)random.Next(256);
                return flipped;
            case 2: return valid[..random.Next(valid.Length)]; // cut short
            case 3: // a stretch inserted: random bytes or a copy of itself
                var at = random.Next(valid.Length);
                var insert = random.Next(2) == 0 ? RandomBytes(random, random.Next(1, 40)) : valid[random.Next(valid.Length)..];
                return [.. valid[..at], .. insert, .. valid[at..]];
            case 4: return RandomBytes(random, random.Next(0, 300));
            case 5: return Encoding.Unicode.GetBytes(Encoding.UTF8.GetString(valid)); // UTF-16
            case 6: return Encoding.Latin1.GetBytes(Encoding.UTF8.GetString(valid).Replace("What", "Wh\u00e4t"));
            case 7: return Encoding.UTF8.GetBytes(Hostile[random.Next(Hostile.Length)]);
            case 8: // a field replaced by a value of a random type
                var field = Pick(random, "\"model\":", "\"messages\":", "\"alpha\":", "\"stream\":", "\"max_tokens\":", "\"content\":", "\"role\":");
                var text = Encoding.UTF8.GetString(valid);
                var p = text.IndexOf(field, StringComparison.Ordinal);
                if (p < 0) return valid;
                var value = Pick(random, "null", "1", "-0.0", "\"\"", "[]", "{}", "true", "\"\\u0000\"", "1e308", "[null]");
                return Encoding.UTF8.GetBytes(text[..(p + field.Length)] + value + "," + text[(p + field.Length)..]);
            default: return Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(valid).Replace("user", Pick(random, "USER", "tool", "", "assistant")));
        }
    }

    private static byte[] RandomBytes(Random random, int n)
    {
        var bytes = new byte[n];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string Pick(Random random, params string[] options) => options[random.Next(options.Length)];
}
