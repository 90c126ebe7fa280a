using DiSRouter.Models.Autograd;
using DiSRouter.Models.Layers;

namespace DiSRouter.Models.Training;

/// <summary>
/// The Qwen2-layout decoder as ops on a <see cref="Tape"/>: pre-norm blocks of grouped-query attention with
/// rotary positions and a SwiGLU MLP, a final RMSNorm and the output head.
/// B = batch, T = sequence, N = B·T rows, C = hidden, V = vocabulary, Hq / Hkv = query / kv heads, I = MLP width.
/// </summary>
internal sealed class TransformerGraph(TransformerModel model)
{
    private readonly TransformerConfig _c = model.Config;
    private readonly RopeTable _rope = RopeTable.For(model.Config);
    private readonly float _eps = (float)model.Config.RmsNormEps;

    public TransformerModel Model => model;

    // logits (N, V) for a right-padded batch
    public Tensor Forward(Tape g, PaddedBatch batch)
    {
        var x = g.Embedding(g.Param(model.Embedding), batch.Inputs);  // (N, C)
        foreach (var layer in model.Layers) x = Block(g, layer, x, batch);
        x = g.RmsNorm(x, g.Param(model.FinalNorm), _eps);              // (N, C)
        return g.Linear(x, g.Param(model.LmHead));                     // (N, V)
    }

    // x (N, C) → x + attn(norm(x)) → x + mlp(norm(x))
    private Tensor Block(Tape g, LayerWeights l, Tensor x, PaddedBatch batch)
    {
        x = g.Add(x, SelfAttention(g, l, g.RmsNorm(x, g.Param(l.InputNorm), _eps), batch));
        return g.Add(x, Mlp(g, l, g.RmsNorm(x, g.Param(l.PostNorm), _eps)));
    }

    private Tensor SelfAttention(Tape g, LayerWeights l, Tensor x, PaddedBatch batch)
    {
        var q = g.Rope(g.Linear(x, g.Param(l.Q), P(g, l.QBias)), _c.NumAttentionHeads, batch.SeqLen, 0, _rope);  // (N, Hq·D)
        var k = g.Rope(g.Linear(x, g.Param(l.K), P(g, l.KBias)), _c.NumKeyValueHeads, batch.SeqLen, 0, _rope);   // (N, Hkv·D)
        var v = g.Linear(x, g.Param(l.V), P(g, l.VBias));                                                        // (N, Hkv·D)
        var y = g.Attention(q, k, v, batch.Lengths, batch.Batch, batch.SeqLen, _c.NumAttentionHeads, _c.NumKeyValueHeads); // (N, Hq·D)
        return g.Linear(y, g.Param(l.O));                                                                        // (N, C)
    }

    // (N, C) → silu(x·gateᵀ) ⊙ (x·upᵀ) (N, I) → ·downᵀ (N, C)
    private static Tensor Mlp(Tape g, LayerWeights l, Tensor x)
        => g.Linear(g.SwiGlu(g.Linear(x, g.Param(l.Gate)), g.Linear(x, g.Param(l.Up))), g.Param(l.Down));

    private static Tensor? P(Tape g, Parameter? p) => p is null ? null : g.Param(p);
}
