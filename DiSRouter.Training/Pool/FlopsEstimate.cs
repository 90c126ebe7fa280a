using DiSRouter.Models;

namespace DiSRouter.Training.Pool;

/// <summary>
/// Forward FLOPs per generated token, the usual estimate (Kaplan et al. 2020):
/// <c>2·N_matmul + 4·L·T·(Hq·D)</c>. N_matmul counts the weights of every matrix product (q, k, v, o,
/// gate, up, down in each block, and the output head once even when tied); embeddings and norms are
/// lookups and scalings, not products. The second term is attention at context T: QKᵀ and A·V each
/// cost 2·T·Hq·D per token and layer. T is stated with the figure (the pool reports T = 128, half the
/// context).
/// </summary>
internal static class FlopsEstimate
{
    public const int DefaultContext = 128;

    public static long MatmulParameters(TransformerConfig c)
    {
        long q = (long)c.NumAttentionHeads * c.HeadDim, kv = (long)c.NumKeyValueHeads * c.HeadDim;
        long perLayer = c.HiddenSize * q            // q_proj
                      + 2 * c.HiddenSize * kv       // k_proj, v_proj
                      + q * c.HiddenSize            // o_proj
                      + 3L * c.HiddenSize * c.IntermediateSize; // gate, up, down
        return c.NumHiddenLayers * perLayer + (long)c.VocabSize * c.HiddenSize; // + lm_head
    }

    public static long PerToken(TransformerConfig c, int context = DefaultContext) =>
        2 * MatmulParameters(c) + 4L * c.NumHiddenLayers * context * c.NumAttentionHeads * c.HeadDim;
}
