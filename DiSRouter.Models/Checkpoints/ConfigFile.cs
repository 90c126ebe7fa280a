using System.Text.Json;
using System.Text.Json.Nodes;

namespace DiSRouter.Models.Checkpoints;

/// <summary>
/// config.json in the Hugging Face Qwen2 names of <see cref="TransformerConfig"/>. A real Qwen2 config reads as is:
/// unknown fields are ignored, an absent num_key_value_heads means plain multi-head, and an absent attention_bias
/// with model_type "qwen2" means biases (every Qwen2 checkpoint has them; our own files always write the field).
/// </summary>
public static class ConfigFile
{
    public const string FileName = "config.json";

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    public static void Write(string path, TransformerConfig config)
    {
        config.Validate();
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(config, Options) + "\n");
    }

    public static TransformerConfig Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CheckpointException(path, "the file does not exist", e);
        }
        try
        {
            if (JsonNode.Parse(text) is not JsonObject obj) throw new CheckpointException(path, "the top level is not a JSON object");
            var config = obj.Deserialize<TransformerConfig>(Options) ?? throw new CheckpointException(path, "the file is empty");
            if (!obj.ContainsKey("num_key_value_heads")) config = config with { NumKeyValueHeads = config.NumAttentionHeads };
            if (!obj.ContainsKey("attention_bias") && config.ModelType == "qwen2" && obj.ContainsKey("architectures"))
                config = config with { AttentionBias = true };
            if (obj["hidden_act"] is JsonValue act && act.TryGetValue(out string? a) && a != "silu")
                throw new CheckpointException(path, $"hidden_act '{a}' is not supported (the engine's MLP is SwiGLU with SiLU)");
            if (obj["rope_scaling"] is JsonObject)
                throw new CheckpointException(path, "rope_scaling is not supported");
            config.Validate();
            return config;
        }
        catch (JsonException e)
        {
            throw new CheckpointException(path, "not a valid config: " + e.Message, e);
        }
        catch (ArgumentException e)
        {
            throw new CheckpointException(path, e.Message, e);
        }
    }
}
