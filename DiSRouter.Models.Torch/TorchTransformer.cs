using DiSRouter.Models.Checkpoints;
using DiSRouter.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace DiSRouter.Models.Torch;

/// <summary>
/// The Qwen2-layout decoder of <see cref="TransformerModel"/> on libtorch: the same parameter names, shapes and maths
/// (pre-norm RMSNorm, half-split rotary embedding, grouped-query causal attention with optional q/k/v biases, SwiGLU,
/// tied or untied head), so the same safetensors files load in either engine. Weights are float32 leaves (the master
/// copy training updates); <see cref="ComputeType"/> is what the forward runs in (bf16 on a GPU: mixed precision).
/// B = batch, T = new tokens, S = cached + new positions, C = hidden, V = vocabulary, Hq / Hkv = heads, D = head dim.
/// </summary>
public sealed class TorchTransformer : IDisposable
{
    private readonly Dictionary<string, Tensor> _params;
    private readonly Dictionary<string, Tensor> _computeCopies = new(StringComparer.Ordinal);   // bf16 copies for inference
    private readonly Tensor _cos, _sin;   // (maxT, D/2), as RopeTable computes them

    private TorchTransformer(TransformerConfig config, Device device, ScalarType computeType, Dictionary<string, Tensor> parameters)
    {
        Config = config;
        Device = device;
        ComputeType = computeType;
        _params = parameters;
        var table = RopeTable.For(config);
        _cos = tensor(table.Cos, [table.MaxPositions, table.Half]).to(device);
        _sin = tensor(table.Sin, [table.MaxPositions, table.Half]).to(device);
    }

    public TransformerConfig Config { get; }
    public Device Device { get; }
    public ScalarType ComputeType { get; }

    /// <summary>Every parameter once, in <see cref="TransformerModel.Parameters"/> order (a tied head is not listed twice).</summary>
    public IReadOnlyDictionary<string, Tensor> Parameters => _params;

    /// <summary>Copies a managed model's weights onto <paramref name="device"/> (null: CUDA when available).</summary>
    public static TorchTransformer FromModel(TransformerModel model, Device? device = null, ScalarType? computeType = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        TorchRuntime.EnsureLoaded();
        var dev = device ?? TorchRuntime.Device();
        var ps = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var p in model.Parameters)
            ps[p.Name] = Leaf(tensor(p.Data, p.Shape.Select(d => (long)d).ToArray()), dev);
        return new TorchTransformer(model.Config, dev, computeType ?? TorchRuntime.ComputeType(dev), ps);
    }

    /// <summary>
    /// Reads a checkpoint folder (ours or a Hugging Face Qwen2 one, single-file or sharded) straight onto the device, so
    /// host memory never holds the model, nor even one whole tensor: each tensor is streamed through one reused host
    /// buffer of <see cref="ChunkElements"/> floats (widened from the file's dtype) into a tensor of
    /// <paramref name="weightType"/> on the device. bf16 keeps only bf16 weights (serving: 2 bytes a parameter instead of
    /// float32's 4 plus a bf16 copy's 2); train with float32 (the training stages load their checkpoints this way, the
    /// AdamW moments then live beside the weights on the device). <paramref name="fingerprint"/>, when given, is fed
    /// every tensor as the file holds it.
    /// </summary>
    public static TorchTransformer Load(string directory, Device? device = null, ScalarType? computeType = null, ScalarType weightType = ScalarType.Float32,
        WeightsFingerprint.Hasher? fingerprint = null, int? maxPositions = null)
    {
        var config = ConfigFile.Read(Path.Combine(directory, ConfigFile.FileName));
        // A wider context is the same weights with a longer rotary table (rotary embeddings hold no parameters).
        if (maxPositions is { } positions && positions > config.MaxPositionEmbeddings) config = config with { MaxPositionEmbeddings = positions };
        TorchRuntime.EnsureLoaded();
        var dev = device ?? TorchRuntime.Device();
        using var file = SafeTensorsShards.Open(directory);
        var ps = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var buffer = new float[Math.Min(ChunkElements, Names(config).Max(n => Parameter.Numel(n.Shape)))];
        try
        {
            foreach (var (name, dims) in Names(config))
            {
                if (!file.Tensors.TryGetValue(name, out var info)) throw new CheckpointException(Path.Combine(directory, Checkpoint.WeightsFileName), $"tensor '{name}' is missing");
                if (!info.Shape.SequenceEqual(dims))
                    throw new CheckpointException(file.PathOf(name), $"tensor '{name}' has shape ({string.Join(", ", info.Shape)}), config.json implies ({string.Join(", ", dims)})");
                var t = ps[name] = Empty(dims, dev, weightType);
                fingerprint?.Begin(name);
                for (long done = 0, numel = t.numel(); done < numel; done += buffer.Length)
                {
                    int n = (int)Math.Min(buffer.Length, numel - done);
                    file.ReadRange(name, done, buffer.AsSpan(0, n));
                    fingerprint?.Append(buffer.AsSpan(0, n));
                    WriteRange(t, done, buffer, n);
                }
            }
            foreach (var name in file.Tensors.Keys)
                if (!ps.ContainsKey(name) && !(name == "lm_head.weight" && config.TieWordEmbeddings))
                    throw new CheckpointException(file.PathOf(name), $"tensor '{name}' does not belong to the model config.json describes");
        }
        catch
        {
            foreach (var t in ps.Values) t.Dispose();
            throw;
        }
        return new TorchTransformer(config, dev, computeType ?? TorchRuntime.ComputeType(dev), ps);
    }

    /// <summary>
    /// Floats that cross between host and device at a time when a checkpoint is loaded (1 MB, as the checkpoint and
    /// optimizer-state writers stream): small beside the tensors of a real model, large enough that a 7B model's 30 GB
    /// move in some 30,000 copies, each well past the size where a host ↔ GPU copy runs at full bandwidth.
    /// </summary>
    internal const int ChunkElements = 1 << 18;

    // An uninitialised leaf of type on device, outside any dispose scope (the model owns it).
    private static Tensor Empty(int[] dims, Device device, ScalarType type)
    {
        using var scope = NewDisposeScope();
        return empty(dims.Select(d => (long)d).ToArray(), type, device).requires_grad_(true).DetachFromDisposeScope();
    }

    /// <summary>
    /// Elements [<paramref name="start"/>, start + count) of <paramref name="t"/> (flattened, row-major) from
    /// <c>buffer[0 .. count)</c>, converted to its dtype on its device; the buffer is only read (from_array shares it for
    /// the copy), so the caller reuses it for the next chunk.
    /// </summary>
    internal static void WriteRange(Tensor t, long start, float[] buffer, int count)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        t.view(-1).narrow(0, start, count).copy_(from_array(buffer).narrow(0, 0, count));
    }

    /// <summary>Elements [<paramref name="start"/>, start + count) of <paramref name="t"/> (flattened) as float32 into <c>buffer[0 .. count)</c>.</summary>
    internal static void ReadRange(Tensor t, long start, float[] buffer, int count)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        from_array(buffer).narrow(0, 0, count).copy_(t.detach().reshape(-1).narrow(0, start, count));
    }

    /// <summary>The weights as a managed model (float32 copies), e.g. to compare; <see cref="Save"/> does not need it.</summary>
    public TransformerModel ToModel()
    {
        var model = TransformerModel.CreateEmpty(Config);
        foreach (var p in model.Parameters) Read(_params[p.Name]).CopyTo(p.Data, 0);
        model.MarkWeightsChanged();
        return model;
    }

    /// <summary>
    /// Saves in our checkpoint layout (the same safetensors names and shapes either engine reads), each tensor streamed
    /// device → file a chunk at a time: host memory holds one chunk, never a float32 copy of the model.
    /// </summary>
    public void Save(string directory, Tokenization.ITokenizer tokenizer, CheckpointDType dtype = CheckpointDType.F32,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var layout = Names(Config).ToList();
        Checkpoint.Save(directory, Config, layout, (i, start, buffer, count) => ReadRange(_params[layout[i].Name], start, buffer, count),
            tokenizer, dtype, metadata);
    }

    // ---------------------------------------------------------------------------------------------
    // forward

    /// <summary>
    /// Logits (B, T, V) in float32 of tokens (B, T) at positions pos0 … pos0+T−1. With a cache, keys and values of
    /// the new positions are written into it and attention reads positions 0 … pos0+T−1; without one, pos0 must be 0.
    /// Causal: right-padded batches need no other mask (a position never sees later ones).
    /// </summary>
    public Tensor Forward(Tensor tokens, int pos0 = 0, TorchKvCache? cache = null)
    {
        long b = tokens.shape[0], t = tokens.shape[1];
        if (cache is null && pos0 != 0) throw new ArgumentException("Without a KV cache the sequence starts at position 0.");
        if (pos0 + t > Config.MaxPositionEmbeddings)
            throw new ArgumentException($"Positions up to {pos0 + t} exceed the model's {Config.MaxPositionEmbeddings}.");
        var c = Config;
        var x = W("model.embed_tokens.weight").index_select(0, tokens.reshape(-1)).view(b, t, c.HiddenSize);   // (B, T, C)
        var cos = _cos.narrow(0, pos0, t).to(ComputeType);                                                      // (T, D/2)
        var sin = _sin.narrow(0, pos0, t).to(ComputeType);
        using var mask = CausalMask(t, pos0);                                                                   // (T, S) or none
        for (int l = 0; l < c.NumHiddenLayers; l++)
        {
            var p = $"model.layers.{l}.";
            var h = RmsNorm(x, p + "input_layernorm.weight");
            x = x + Attention(h, p, l, cos, sin, pos0, cache, mask);
            h = RmsNorm(x, p + "post_attention_layernorm.weight");
            x = x + Mlp(h, p);
        }
        x = RmsNorm(x, "model.norm.weight");
        var head = c.TieWordEmbeddings ? "model.embed_tokens.weight" : "lm_head.weight";
        return nn.functional.linear(x, W(head)).to(ScalarType.Float32);                                          // (B, T, V)
    }

    /// <summary>Logits (B, T, V) of tokens (B, T) on the host, row-major, without gradients: <see cref="Inference.ForwardPass.Logits(TransformerModel, ReadOnlySpan{int}, int, int)"/>'s contract.</summary>
    public float[] Logits(int[] tokens, int batch, int time)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (batch <= 0 || time <= 0 || tokens.Length != batch * time) throw new ArgumentException($"tokens has {tokens.Length} ids, expected {batch}·{time}.");
        foreach (int id in tokens)
            if ((uint)id >= (uint)Config.VocabSize) throw new ArgumentException($"Token {id} is outside the vocabulary [0, {Config.VocabSize}).");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return Read(Forward(tensor(tokens.Select(t => (long)t).ToArray(), [batch, time], device: Device)));
    }

    // x (B, T, C) → x / sqrt(mean(x²) + ε) · w, the statistics in float32
    private Tensor RmsNorm(Tensor x, string weight)
    {
        var xf = x.to(ScalarType.Float32);
        var rstd = (xf.pow(2).mean([-1], keepdim: true) + Config.RmsNormEps).rsqrt();
        return (xf * rstd).to(ComputeType) * W(weight);
    }

    private Tensor Attention(Tensor x, string p, int layer, Tensor cos, Tensor sin, int pos0, TorchKvCache? cache, Tensor? mask)
    {
        var c = Config;
        long b = x.shape[0], t = x.shape[1];
        int d = c.HeadDim, hq = c.NumAttentionHeads, hkv = c.NumKeyValueHeads;
        var q = Linear(x, p + "self_attn.q_proj").view(b, t, hq, d).transpose(1, 2);      // (B, Hq, T, D)
        var k = Linear(x, p + "self_attn.k_proj").view(b, t, hkv, d).transpose(1, 2);     // (B, Hkv, T, D)
        var v = Linear(x, p + "self_attn.v_proj").view(b, t, hkv, d).transpose(1, 2);     // (B, Hkv, T, D)
        q = Rope(q, cos, sin);
        k = Rope(k, cos, sin);
        if (cache is not null) (k, v) = cache.Append(layer, k, v, pos0);                 // (B, Hkv, S, D)
        if (hq != hkv)
        {
            k = k.repeat_interleave(hq / hkv, 1);                                          // query head h reads kv head h / (Hq/Hkv)
            v = v.repeat_interleave(hq / hkv, 1);
        }
        var att = q.matmul(k.transpose(-2, -1)).to(ScalarType.Float32) * (1.0 / Math.Sqrt(d)); // (B, Hq, T, S)
        if (mask is not null) att = att.masked_fill(mask, float.NegativeInfinity);
        att = att.softmax(-1).to(ComputeType);
        var y = att.matmul(v).transpose(1, 2).reshape(b, t, hq * d);                       // (B, T, Hq·D)
        return nn.functional.linear(y, W(p + "self_attn.o_proj.weight"));                  // (B, T, C)
    }

    // (B, T, C) → silu(x·gateᵀ) ⊙ (x·upᵀ) (B, T, I) → ·downᵀ (B, T, C)
    private Tensor Mlp(Tensor x, string p) =>
        nn.functional.linear(nn.functional.silu(Linear(x, p + "mlp.gate_proj")) * Linear(x, p + "mlp.up_proj"), W(p + "mlp.down_proj.weight"));

    // Half-split rotation: (x1, x2) = (x[:D/2], x[D/2:]) → (x1·cos − x2·sin, x1·sin + x2·cos); x (B, H, T, D)
    private static Tensor Rope(Tensor x, Tensor cos, Tensor sin)
    {
        long half = x.shape[^1] / 2;
        var x1 = x.narrow(-1, 0, half);
        var x2 = x.narrow(-1, half, half);
        return cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], -1);
    }

    // true where key position j > query position pos0 + i (masked); none for a single new token (it sees everything)
    private Tensor? CausalMask(long t, int pos0)
    {
        if (t == 1) return null;
        var queries = arange(pos0, pos0 + t, device: Device).unsqueeze(1);   // (T, 1)
        var keys = arange(0, pos0 + t, device: Device).unsqueeze(0);         // (1, S)
        return keys > queries;                                               // (T, S)
    }

    private Tensor Linear(Tensor x, string prefix) =>
        nn.functional.linear(x, W(prefix + ".weight"), _params.ContainsKey(prefix + ".bias") ? W(prefix + ".bias") : null);

    // A weight in the compute type: float32 as is; bf16 under autograd as a cast whose gradient flows back to the float32
    // master; bf16 without gradients from a copy kept until the weights change (no cast of the whole model per token).
    private Tensor W(string name)
    {
        if (_params[name].dtype == ComputeType) return _params[name];
        if (is_grad_enabled()) return _params[name].to(ComputeType);
        if (!_computeCopies.TryGetValue(name, out var copy))
        {
            using (no_grad()) copy = _params[name].to(ComputeType).DetachFromDisposeScope();
            _computeCopies[name] = copy;
        }
        return copy;
    }

    /// <summary>Drops the compute-type copies of the weights; the trainer calls it after every update.</summary>
    internal void MarkWeightsChanged()
    {
        foreach (var t in _computeCopies.Values) t.Dispose();
        _computeCopies.Clear();
    }

    // ---------------------------------------------------------------------------------------------

    /// <summary>
    /// (name, shape) of every parameter the config implies, in <see cref="TransformerModel.Parameters"/> order, without
    /// allocating them (a 7B model's float32 arrays would not fit in host memory beside its GPU copy).
    /// </summary>
    internal static IEnumerable<(string Name, int[] Shape)> Names(TransformerConfig c)
    {
        int q = c.NumAttentionHeads * c.HeadDim, kv = c.NumKeyValueHeads * c.HeadDim, h = c.HiddenSize, i = c.IntermediateSize;
        yield return ("model.embed_tokens.weight", [c.VocabSize, h]);
        for (int l = 0; l < c.NumHiddenLayers; l++)
        {
            var p = $"model.layers.{l}.";
            yield return (p + "input_layernorm.weight", [h]);
            yield return (p + "self_attn.q_proj.weight", [q, h]);
            if (c.AttentionBias) yield return (p + "self_attn.q_proj.bias", [q]);
            yield return (p + "self_attn.k_proj.weight", [kv, h]);
            if (c.AttentionBias) yield return (p + "self_attn.k_proj.bias", [kv]);
            yield return (p + "self_attn.v_proj.weight", [kv, h]);
            if (c.AttentionBias) yield return (p + "self_attn.v_proj.bias", [kv]);
            yield return (p + "self_attn.o_proj.weight", [h, q]);
            yield return (p + "post_attention_layernorm.weight", [h]);
            yield return (p + "mlp.gate_proj.weight", [i, h]);
            yield return (p + "mlp.up_proj.weight", [i, h]);
            yield return (p + "mlp.down_proj.weight", [h, i]);
        }
        yield return ("model.norm.weight", [h]);
        if (!c.TieWordEmbeddings) yield return ("lm_head.weight", [c.VocabSize, h]);
    }

    internal static float[] Read(Tensor t)
    {
        using var cpu = t.detach().to(ScalarType.Float32).cpu().contiguous();
        return cpu.data<float>().ToArray();
    }

    private static Tensor Leaf(Tensor host, Device device, ScalarType type = ScalarType.Float32)
    {
        var t = host.to(type).to(device).detach().requires_grad_(true);
        if (!ReferenceEquals(t, host)) host.Dispose();
        t.DetachFromDisposeScope();
        return t;
    }

    public void Dispose()
    {
        MarkWeightsChanged();
        foreach (var t in _params.Values) t.Dispose();
        _cos.Dispose();
        _sin.Dispose();
    }
}
