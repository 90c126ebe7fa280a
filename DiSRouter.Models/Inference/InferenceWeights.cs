using System.Runtime.CompilerServices;
using DiSRouter.Models.Kernels;
using DiSRouter.Models.Layers;

namespace DiSRouter.Models.Inference;

/// <summary>
/// The weights as the inference forward reads them. q/k/v are fused into one (Hq·D + 2·Hkv·D, C) matrix and
/// gate/up into one (2I, C) matrix, so a layer issues four products instead of seven: in token-by-token
/// decoding every product is a parallel hand-off that costs about as much as its arithmetic. Every matrix is also
/// packed into the GEMM's panels once (<see cref="PackedWeight"/>), so a prompt pass does not re-pack it per product.
/// The fused, packed copies are derived data, rebuilt whenever <see cref="TransformerModel.Version"/> moves (an
/// optimizer step, a load).
/// </summary>
internal sealed class InferenceWeights
{
    private InferenceWeights(TransformerModel model, RopeTable rope)
    {
        var c = model.Config;
        Config = c;
        Version = model.Version;
        Rope = rope;
        Embedding = model.Embedding.Data;
        FinalNorm = model.FinalNorm.Data;
        LmHead = new PackedWeight(model.LmHead.Data, c.VocabSize, c.HiddenSize);
        Layers = model.Layers.Select(l => new LayerPack(l, c)).ToArray();
    }

    public TransformerConfig Config { get; }
    public int Version { get; }
    public RopeTable Rope { get; }
    public float[] Embedding { get; }   // (V, C)
    public LayerPack[] Layers { get; }
    public float[] FinalNorm { get; }   // (C)
    public PackedWeight LmHead { get; } // (V, C)

    internal sealed class LayerPack
    {
        public LayerPack(LayerWeights l, TransformerConfig c)
        {
            int dq = c.NumAttentionHeads * c.HeadDim, dkv = c.NumKeyValueHeads * c.HeadDim, I = c.IntermediateSize, C = c.HiddenSize;
            InputNorm = l.InputNorm.Data;
            Qkv = new(Concat(l.Q.Data, l.K.Data, l.V.Data), dq + 2 * dkv, C);
            QkvBias = l.QBias is null ? [] : Concat(l.QBias.Data, l.KBias!.Data, l.VBias!.Data);
            O = new(l.O.Data, C, dq);
            PostNorm = l.PostNorm.Data;
            GateUp = new(Concat(l.Gate.Data, l.Up.Data), 2 * I, C);
            Down = new(l.Down.Data, C, I);
        }

        public float[] InputNorm { get; }   // (C)
        public PackedWeight Qkv { get; }    // (Hq·D + 2·Hkv·D, C): rows of q_proj, then k_proj, then v_proj
        public float[] QkvBias { get; }     // (Hq·D + 2·Hkv·D), or empty
        public PackedWeight O { get; }      // (C, Hq·D)
        public float[] PostNorm { get; }    // (C)
        public PackedWeight GateUp { get; } // (2I, C): rows of gate_proj, then up_proj
        public PackedWeight Down { get; }   // (C, I)

        private static float[] Concat(params float[][] parts)
        {
            var all = GC.AllocateUninitializedArray<float>(parts.Sum(p => p.Length));
            int at = 0;
            foreach (var p in parts) { p.CopyTo(all, at); at += p.Length; }
            return all;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // One runtime per model: the current weight snapshot, the pool of workspaces (KV caches, activations) and the
    // keys and values of recent prompts.

    private static readonly ConditionalWeakTable<TransformerModel, Runtime> Runtimes = new();

    /// <summary>The snapshot for the model's current version (built once per version, shared by all threads).</summary>
    public static InferenceWeights For(TransformerModel model) => RuntimeOf(model).Weights(model);

    public static WorkspacePool PoolFor(TransformerModel model) => RuntimeOf(model).Pool;

    public static PrefixCache PrefixesFor(TransformerModel model) => RuntimeOf(model).Prefixes;

    private static Runtime RuntimeOf(TransformerModel model) => Runtimes.GetValue(model, m => new Runtime(m.Config));

    private sealed class Runtime(TransformerConfig config)
    {
        private readonly RopeTable _rope = RopeTable.For(config);
        private InferenceWeights? _current;

        public WorkspacePool Pool { get; } = new(config);

        public PrefixCache Prefixes { get; } = new(config);

        public InferenceWeights Weights(TransformerModel model)
        {
            var current = Volatile.Read(ref _current);
            if (current is not null && current.Version == model.Version) return current;
            lock (this)
            {
                current = _current;
                if (current is null || current.Version != model.Version)
                {
                    current = new InferenceWeights(model, _rope);
                    Volatile.Write(ref _current, current);
                }
                return current;
            }
        }
    }
}
