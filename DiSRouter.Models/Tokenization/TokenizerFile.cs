using System.Text.Json;
using System.Text.Json.Nodes;
using DiSRouter.Models.Checkpoints;

namespace DiSRouter.Models.Tokenization;

/// <summary>
/// Our tokenizer.json: <c>{"type": "byte", "vocab_size": 264, "special_tokens": {"&lt;|pad|&gt;": 256, …}}</c>.
/// A Hugging Face tokenizer.json with a BPE model (its type under "model") reads as a <see cref="ByteLevelBpeTokenizer"/>.
/// </summary>
public static class TokenizerFile
{
    public const string FileName = "tokenizer.json";

    /// <summary>Writes the tokenizer atomically (temp file in the same folder, then rename).</summary>
    public static void Write(string path, ITokenizer tokenizer)
    {
        if (tokenizer is not ByteTokenizer bytes)
            throw new NotSupportedException($"Only a ByteTokenizer can be written to {FileName}, not {tokenizer.GetType().Name}.");
        var special = new JsonObject();
        foreach (var (name, id) in bytes.Specials.OrderBy(kv => kv.Value)) special[name] = id;
        var json = new JsonObject { ["type"] = "byte", ["vocab_size"] = bytes.VocabSize, ["special_tokens"] = special };
        var text = json.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        AtomicFile.WriteAllText(path, text + "\n");
    }

    /// <summary>Reads a tokenizer.json; a missing, malformed or unsupported file throws <see cref="InvalidDataException"/> naming it.</summary>
    public static ITokenizer Read(string path)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (FileNotFoundException) { throw Bad(path, "the file does not exist"); }
        catch (JsonException e) { throw Bad(path, "it is not valid JSON (" + e.Message + ")"); }
        if (root is not JsonObject obj) throw Bad(path, "the top level is not a JSON object");

        string? type = Str(obj["type"]) ?? Str(obj["model"]?["type"]);
        if (type is null) throw Bad(path, "it has no \"type\"");
        if (type == "BPE") return ByteLevelBpeTokenizer.Read(path, obj);   // a Hugging Face tokenizer.json (Qwen2)
        if (type != "byte") throw Bad(path, $"tokenizer type '{type}' is not supported (only \"byte\" and Hugging Face \"BPE\")");

        if (obj["vocab_size"] is not JsonValue vs || !vs.TryGetValue(out int vocab))
            throw Bad(path, "\"vocab_size\" is missing or not an integer");
        if (obj["special_tokens"] is not JsonObject specials) throw Bad(path, "\"special_tokens\" is missing or not an object");
        var map = new Dictionary<string, int>();
        foreach (var (name, node) in specials)
        {
            if (node is not JsonValue v || !v.TryGetValue(out int id)) throw Bad(path, $"special token {name} has no integer id");
            map[name] = id;
        }
        try
        {
            return new ByteTokenizer(vocab, map);
        }
        catch (ArgumentException e) { throw Bad(path, e.Message); }
    }

    private static string? Str(JsonNode? node) => node is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    private static InvalidDataException Bad(string path, string why) => new($"Tokenizer file '{path}': {why}.");
}
