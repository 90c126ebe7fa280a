using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace DiSRouter.Models.Tokenization;

/// <summary>
/// A Hugging Face byte-level BPE tokenizer.json (Qwen2, GPT-2 and kin) through Microsoft.ML.Tokenizers: the vocabulary
/// and merges of <c>model</c>, the split regex of <c>pre_tokenizer</c>, the special tokens of <c>added_tokens</c>, and
/// eos/pad/bos by name from tokenizer_config.json beside it. Special tokens are never produced from text (as
/// <see cref="ITokenizer"/> promises): only the chat template places them.
/// </summary>
public sealed class ByteLevelBpeTokenizer : ITokenizer
{
    /// <summary>GPT-2's split, the default when tokenizer.json has a bare ByteLevel pre-tokenizer.</summary>
    private const string Gpt2Split = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private readonly BpeTokenizer _bpe;
    private readonly Dictionary<string, int> _special;
    private readonly Dictionary<int, string> _specialById;

    private ByteLevelBpeTokenizer(BpeTokenizer bpe, Dictionary<string, int> special, int vocabSize, int bos, int eos, int pad, ChatTemplate? chat)
    {
        _bpe = bpe;
        _special = special;
        _specialById = special.ToDictionary(kv => kv.Value, kv => kv.Key);
        VocabSize = vocabSize;
        BosId = bos;
        EosId = eos;
        PadId = pad;
        ChatTemplate = chat;
    }

    public int VocabSize { get; }
    public int BosId { get; }
    public int EosId { get; }
    public int PadId { get; }

    /// <summary>The model's chat layout (ChatML for Qwen2), read from the chat template; null when the folder has none.</summary>
    public ChatTemplate? ChatTemplate { get; }

    public IReadOnlyDictionary<string, int> Specials => _special;

    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return [.. _bpe.EncodeToIds(text)];
    }

    public string Decode(ReadOnlySpan<int> ids)
    {
        var sb = new StringBuilder();
        var run = new List<int>();
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)VocabSize) throw new ArgumentOutOfRangeException(nameof(ids), $"Token id {id} is outside [0, {VocabSize}).");
            if (_specialById.TryGetValue(id, out var name))
            {
                if (run.Count > 0) { sb.Append(_bpe.Decode(run)); run.Clear(); }
                sb.Append(name);
            }
            else run.Add(id);
        }
        if (run.Count > 0) sb.Append(_bpe.Decode(run));
        return sb.ToString();
    }

    public bool TryGetSpecial(string name, out int id) => _special.TryGetValue(name, out id);

    /// <summary>
    /// Reads a Hugging Face tokenizer.json with a BPE model; tokenizer_config.json beside it (optional) names eos, pad
    /// and bos and may hold the chat template (chat_template.jinja beside it counts too). Defects throw
    /// <see cref="InvalidDataException"/> naming the file.
    /// </summary>
    public static ByteLevelBpeTokenizer Read(string path, JsonObject root)
    {
        if (root["model"] is not JsonObject model || model["vocab"] is not JsonObject vocabNode)
            throw Bad(path, "\"model.vocab\" is missing");
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (token, node) in vocabNode)
            vocab[token] = node is JsonValue v && v.TryGetValue(out int id) ? id : throw Bad(path, $"vocabulary entry '{token}' has no integer id");
        var merges = new List<string>();
        if (model["merges"] is JsonArray mergeNodes)
            foreach (var m in mergeNodes)
                merges.Add(m switch
                {
                    JsonValue s when s.TryGetValue(out string? pair) => pair,                           // "Ġ t" (older files)
                    JsonArray { Count: 2 } a => $"{(string?)a[0]} {(string?)a[1]}",                     // ["Ġ", "t"] (newer files)
                    _ => throw Bad(path, "a merge is neither \"a b\" nor [a, b]"),
                });

        var special = new Dictionary<string, int>(StringComparer.Ordinal);
        if (root["added_tokens"] is JsonArray added)
            foreach (var t in added)
                if (t?["content"] is JsonValue c && c.TryGetValue(out string? content) && t["id"] is JsonValue i && i.TryGetValue(out int id))
                    special[content] = id;

        string split = Gpt2Split;
        foreach (var pre in Flatten(root["pre_tokenizer"]))
            if ((string?)pre["type"] == "Split" && pre["pattern"]?["Regex"] is JsonValue r && r.TryGetValue(out string? regex)) split = regex;

        BpeTokenizer bpe;
        try
        {
            bpe = BpeTokenizer.Create(new BpeOptions(vocab)
            {
                Merges = merges,
                ByteLevel = true,
                PreTokenizer = new RegexPreTokenizer(new Regex(split, RegexOptions.Compiled), null),
            });
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
        {
            throw Bad(path, "the BPE model cannot be built: " + e.Message);
        }

        int vocabSize = Math.Max(vocab.Count == 0 ? 0 : vocab.Values.Max(), special.Count == 0 ? 0 : special.Values.Max()) + 1;
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var config = ReadConfig(Path.Combine(folder, "tokenizer_config.json"));
        int Named(string field, params string[] fallbacks)
        {
            foreach (var name in new[] { TokenName(config?[field]) }.Concat(fallbacks))
                if (name is not null && (special.TryGetValue(name, out int id) || vocab.TryGetValue(name, out id))) return id;
            return -1;
        }
        // Qwen2 names no bos (its prompts start with <|im_start|>); eos is <|im_end|> for chat models, <|endoftext|> for base ones.
        int eos = Named("eos_token", "<|endoftext|>", "<|im_end|>");
        if (eos < 0) throw Bad(path, "no end-of-sequence token: tokenizer_config.json names none and there is no <|endoftext|>");
        int pad = Named("pad_token") is var p and >= 0 ? p : eos;
        int bos = Named("bos_token") is var b and >= 0 ? b : eos;
        var chat = ChatTemplate.Find(folder, config);
        return new ByteLevelBpeTokenizer(bpe, special, vocabSize, bos, eos, pad, chat);
    }

    private static IEnumerable<JsonNode> Flatten(JsonNode? node)
    {
        if (node is null) yield break;
        if (node["pretokenizers"] is JsonArray list) { foreach (var n in list) if (n is not null) yield return n; }
        else yield return node;
    }

    // "eos_token": "<|im_end|>" or {"content": "<|im_end|>", ...}
    private static string? TokenName(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue(out string? s) => s,
        JsonObject o => (string?)o["content"],
        _ => null,
    };

    private static JsonObject? ReadConfig(string path)
    {
        if (!File.Exists(path)) return null;
        try { return JsonNode.Parse(File.ReadAllText(path)) as JsonObject; }
        catch (JsonException e) { throw Bad(path, "not valid JSON (" + e.Message + ")"); }
    }

    private static InvalidDataException Bad(string path, string why) => new($"Tokenizer file '{path}': {why}.");
}
