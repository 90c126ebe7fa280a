namespace DiSRouter.Models;

/// <summary>
/// The weights of a decoder-only transformer in the Qwen2 layout. Training (autograd) and inference
/// (KV-cached generation) are separate paths that both read these arrays.
/// </summary>
public sealed class TransformerModel
{
    private readonly Dictionary<string, Parameter> _byName;

    private TransformerModel(TransformerConfig config)
    {
        config.Validate();
        Config = config;
        Embedding = new("model.embed_tokens.weight", [config.VocabSize, config.HiddenSize]); // (V, C)
        Layers = Enumerable.Range(0, config.NumHiddenLayers).Select(i => new LayerWeights(config, i)).ToArray();
        FinalNorm = new("model.norm.weight", [config.HiddenSize]);                             // (C)
        LmHead = config.TieWordEmbeddings ? Embedding : new("lm_head.weight", [config.VocabSize, config.HiddenSize]); // (V, C)
        Parameters = EnumerateUnique().ToArray();
        _byName = Parameters.ToDictionary(p => p.Name);
    }

    public TransformerConfig Config { get; }
    public Parameter Embedding { get; }
    public IReadOnlyList<LayerWeights> Layers { get; }
    public Parameter FinalNorm { get; }

    /// <summary>The output head; the same object as <see cref="Embedding"/> when embeddings are tied.</summary>
    public Parameter LmHead { get; }

    /// <summary>Every parameter once (a tied head is not listed twice), in checkpoint order.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    public long ParameterCount => Parameters.Sum(p => (long)p.Length);

    /// <summary>
    /// Bumped whenever the weights change (an optimizer step, a load), so that inference code can
    /// invalidate anything it derived from them (packed or fused copies).
    /// </summary>
    public int Version { get; private set; }

    public void MarkWeightsChanged() => Version++;

    public Parameter? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>A model with GPT-style initialisation: N(0, 0.02) matrices, norms at 1, biases at 0. Deterministic in <paramref name="seed"/>.</summary>
    public static TransformerModel Create(TransformerConfig config, int seed)
    {
        var model = new TransformerModel(config);
        var rng = new Random(seed);
        foreach (var p in model.Parameters)
        {
            if (p.Name.EndsWith("norm.weight", StringComparison.Ordinal)) Array.Fill(p.Data, 1f);
            else if (p.Name.EndsWith(".bias", StringComparison.Ordinal)) Array.Clear(p.Data);
            else for (int i = 0; i < p.Data.Length; i++) p.Data[i] = (float)(0.02 * Gaussian(rng));
        }
        return model;
    }

    /// <summary>A model with every weight zero, to be filled from a checkpoint with <see cref="LoadState"/>.</summary>
    public static TransformerModel CreateEmpty(TransformerConfig config) => new(config);

    /// <summary>
    /// Copies named tensors into the model. Every parameter must be present with its exact shape; a tied head
    /// may be absent or equal to the embedding. Unknown names are an error, so a wrong checkpoint never loads silently.
    /// </summary>
    public void LoadState(IReadOnlyDictionary<string, NamedTensor> tensors)
    {
        foreach (var p in Parameters)
        {
            if (!tensors.TryGetValue(p.Name, out var t))
                throw new InvalidDataException($"Tensor '{p.Name}' is missing.");
            if (!t.Shape.SequenceEqual(p.Shape))
                throw new InvalidDataException($"Tensor '{p.Name}' has shape ({string.Join(", ", t.Shape)}), expected ({string.Join(", ", p.Shape)}).");
            t.Data.AsSpan().CopyTo(p.Data);
        }
        foreach (var name in tensors.Keys)
            if (!_byName.ContainsKey(name) && !(name == "lm_head.weight" && Config.TieWordEmbeddings))
                throw new InvalidDataException($"Tensor '{name}' does not belong to this model.");
        MarkWeightsChanged();
    }

    /// <summary>The parameters as named tensors (sharing the arrays, not copies).</summary>
    public IReadOnlyDictionary<string, NamedTensor> State() =>
        Parameters.ToDictionary(p => p.Name, p => new NamedTensor(p.Name, p.Shape, p.Data));

    private IEnumerable<Parameter> EnumerateUnique()
    {
        yield return Embedding;
        foreach (var l in Layers) foreach (var p in l.All()) yield return p;
        yield return FinalNorm;
        if (!Config.TieWordEmbeddings) yield return LmHead;
    }

    private static double Gaussian(Random rng)
    {
        // Box–Muller: two uniforms to one standard normal.
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
