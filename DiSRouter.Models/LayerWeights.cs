namespace DiSRouter.Models;

/// <summary>
/// Weights of block i. C = hidden, D = head dim, Hq / Hkv = query / key-value heads, I = intermediate.
/// </summary>
public sealed class LayerWeights
{
    internal LayerWeights(TransformerConfig c, int i)
    {
        var p = $"model.layers.{i}.";
        int q = c.NumAttentionHeads * c.HeadDim, kv = c.NumKeyValueHeads * c.HeadDim;
        InputNorm = new(p + "input_layernorm.weight", [c.HiddenSize]);                 // (C)
        Q = new(p + "self_attn.q_proj.weight", [q, c.HiddenSize]);                      // (Hq*D, C)
        K = new(p + "self_attn.k_proj.weight", [kv, c.HiddenSize]);                     // (Hkv*D, C)
        V = new(p + "self_attn.v_proj.weight", [kv, c.HiddenSize]);                     // (Hkv*D, C)
        if (c.AttentionBias)
        {
            QBias = new(p + "self_attn.q_proj.bias", [q]);                              // (Hq*D)
            KBias = new(p + "self_attn.k_proj.bias", [kv]);                             // (Hkv*D)
            VBias = new(p + "self_attn.v_proj.bias", [kv]);                             // (Hkv*D)
        }
        O = new(p + "self_attn.o_proj.weight", [c.HiddenSize, q]);                      // (C, Hq*D)
        PostNorm = new(p + "post_attention_layernorm.weight", [c.HiddenSize]);          // (C)
        Gate = new(p + "mlp.gate_proj.weight", [c.IntermediateSize, c.HiddenSize]);     // (I, C)
        Up = new(p + "mlp.up_proj.weight", [c.IntermediateSize, c.HiddenSize]);         // (I, C)
        Down = new(p + "mlp.down_proj.weight", [c.HiddenSize, c.IntermediateSize]);     // (C, I)
    }

    public Parameter InputNorm { get; }
    public Parameter Q { get; }
    public Parameter K { get; }
    public Parameter V { get; }
    public Parameter? QBias { get; }
    public Parameter? KBias { get; }
    public Parameter? VBias { get; }
    public Parameter O { get; }
    public Parameter PostNorm { get; }
    public Parameter Gate { get; }
    public Parameter Up { get; }
    public Parameter Down { get; }

    public IEnumerable<Parameter> All()
    {
        yield return InputNorm; yield return Q;
        if (QBias is not null) yield return QBias;
        yield return K;
        if (KBias is not null) yield return KBias;
        yield return V;
        if (VBias is not null) yield return VBias;
        yield return O; yield return PostNorm; yield return Gate; yield return Up; yield return Down;
    }
}
