using System.Text.Json.Serialization;

namespace DiSRouter.Models;

/// <summary>
/// Shape of a decoder-only transformer in the Qwen2 layout: pre-norm RMSNorm, rotary position embedding
/// (half-split "rotate_half"), grouped-query causal attention with optional q/k/v biases, SwiGLU MLP.
/// JSON names are those of a Hugging Face Qwen2 <c>config.json</c>, so a real checkpoint's config reads as is.
/// </summary>
public sealed record TransformerConfig
{
    /// <summary>Rows of the embedding and of the output head; the nano world's byte tokenizer needs 264.</summary>
    [JsonPropertyName("vocab_size")] public int VocabSize { get; init; } = 264;

    /// <summary>Width of the residual stream, C.</summary>
    [JsonPropertyName("hidden_size")] public int HiddenSize { get; init; } = 128;

    /// <summary>Width of the SwiGLU hidden layer; about 8/3·C rounded up to a multiple of 32 keeps the MLP's FLOPs at 4-layer-MLP parity.</summary>
    [JsonPropertyName("intermediate_size")] public int IntermediateSize { get; init; } = 352;

    /// <summary>Number of transformer blocks, L.</summary>
    [JsonPropertyName("num_hidden_layers")] public int NumHiddenLayers { get; init; } = 4;

    /// <summary>Query heads; C must divide by it.</summary>
    [JsonPropertyName("num_attention_heads")] public int NumAttentionHeads { get; init; } = 4;

    /// <summary>Key/value heads for grouped-query attention; divides <see cref="NumAttentionHeads"/> (equal means plain multi-head).</summary>
    [JsonPropertyName("num_key_value_heads")] public int NumKeyValueHeads { get; init; } = 4;

    /// <summary>Longest sequence the rotary tables and KV caches are sized for.</summary>
    [JsonPropertyName("max_position_embeddings")] public int MaxPositionEmbeddings { get; init; } = 512;

    /// <summary>Base of the rotary frequencies; Qwen2 uses 1e6, small models train fine with 1e4.</summary>
    [JsonPropertyName("rope_theta")] public double RopeTheta { get; init; } = 10000;

    /// <summary>ε inside RMSNorm's square root; Qwen2 uses 1e-6.</summary>
    [JsonPropertyName("rms_norm_eps")] public double RmsNormEps { get; init; } = 1e-6;

    /// <summary>Whether lm_head shares the embedding matrix (Qwen2.5 0.5B–3B do, 7B and up do not).</summary>
    [JsonPropertyName("tie_word_embeddings")] public bool TieWordEmbeddings { get; init; }

    /// <summary>Bias vectors on q_proj, k_proj and v_proj (true in every Qwen2 checkpoint).</summary>
    [JsonPropertyName("attention_bias")] public bool AttentionBias { get; init; }

    /// <summary>Always "qwen2"; written so that other tools recognise the layout.</summary>
    [JsonPropertyName("model_type")] public string ModelType { get; init; } = "qwen2";

    /// <summary>Width of one attention head, D = C / heads.</summary>
    [JsonIgnore] public int HeadDim => HiddenSize / NumAttentionHeads;

    /// <summary>Throws with the reason when the shape is inconsistent.</summary>
    public void Validate()
    {
        static void Require(bool ok, string why) { if (!ok) throw new ArgumentException("Invalid transformer config: " + why); }
        Require(VocabSize > 0 && HiddenSize > 0 && IntermediateSize > 0 && NumHiddenLayers > 0, "sizes must be positive");
        Require(NumAttentionHeads > 0 && HiddenSize % NumAttentionHeads == 0, "hidden_size must divide by num_attention_heads");
        Require(HeadDim % 2 == 0, "head dimension must be even for rotary embedding");
        Require(NumKeyValueHeads > 0 && NumAttentionHeads % NumKeyValueHeads == 0, "num_attention_heads must divide by num_key_value_heads");
        Require(MaxPositionEmbeddings > 0 && RopeTheta > 0 && RmsNormEps > 0, "max_position_embeddings, rope_theta and rms_norm_eps must be positive");
    }

    /// <summary>SwiGLU width as the nano world and the benchmark size it: 32·ceil(8C/3/32).</summary>
    public static int SwiGluHidden(int hiddenSize) => 32 * (int)Math.Ceiling(8.0 * hiddenSize / 3 / 32);
}
