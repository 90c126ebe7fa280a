using DiSRouter.Models.Tokenization;

namespace DiSRouter.Models.Checkpoints;

/// <summary>
/// A checkpoint is a folder in the Hugging Face layout: config.json, model.safetensors (or shards with
/// model.safetensors.index.json), tokenizer.json (ours, or a Hugging Face byte-level BPE one).
/// Each file is written atomically (temp file, then rename), weights first and config.json last, so an
/// interrupted save leaves either the old file or the new one in place, never a torn one.
/// </summary>
public static class Checkpoint
{
    public const string WeightsFileName = "model.safetensors";

    public static void Save(string directory, TransformerModel model, ITokenizer tokenizer, CheckpointDType dtype = CheckpointDType.F32,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var ps = model.Parameters;
        Save(directory, model.Config, ps.Select(p => (p.Name, p.Shape)).ToList(),
            (i, start, buffer, count) => Array.Copy(ps[i].Data, start, buffer, 0, count), tokenizer, dtype, metadata);
    }

    /// <summary>
    /// The same folder from weights held elsewhere (on a GPU): <paramref name="layout"/> names every parameter in
    /// <see cref="TransformerModel.Parameters"/> order and <paramref name="source"/> streams their values a chunk at a time.
    /// </summary>
    internal static void Save(string directory, TransformerConfig config, IReadOnlyList<(string Name, int[] Shape)> layout,
        SafeTensorsWriter.ChunkSource source, ITokenizer tokenizer, CheckpointDType dtype = CheckpointDType.F32,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (tokenizer.VocabSize > config.VocabSize)
            throw new ArgumentException($"The tokenizer has {tokenizer.VocabSize} ids but the model only {config.VocabSize} rows.");
        Directory.CreateDirectory(directory);
        var meta = new Dictionary<string, string>(StringComparer.Ordinal) { ["format"] = "pt" }; // what HF loaders expect
        if (metadata is not null) foreach (var (k, v) in metadata) meta[k] = v;
        SafeTensorsWriter.Write(Path.Combine(directory, WeightsFileName), layout, source, dtype, meta);
        TokenizerFile.Write(Path.Combine(directory, TokenizerFile.FileName), tokenizer);
        ConfigFile.Write(Path.Combine(directory, ConfigFile.FileName), config);
    }

    public static LoadedCheckpoint Load(string directory)
    {
        if (!Directory.Exists(directory)) throw new CheckpointException(directory, "the checkpoint folder does not exist");
        var config = ConfigFile.Read(Path.Combine(directory, ConfigFile.FileName));

        var tokenizer = LoadTokenizer(directory, config);

        var weightsPath = Path.Combine(directory, WeightsFileName);
        using var file = SafeTensorsShards.Open(directory);   // one model.safetensors, or the shards of its index
        var model = TransformerModel.CreateEmpty(config);
        // Read straight into the model's arrays: no second copy of the weights in memory.
        foreach (var p in model.Parameters)
        {
            if (!file.Tensors.TryGetValue(p.Name, out var info))
                throw new CheckpointException(weightsPath, $"tensor '{p.Name}' is missing");
            if (info.DType is not ("F32" or "BF16" or "F16"))
                throw new CheckpointException(file.PathOf(p.Name), $"tensor '{p.Name}' has dtype {info.DType}; only F32, BF16 and F16 can be read");
            if (!info.Shape.SequenceEqual(p.Shape))
                throw new CheckpointException(file.PathOf(p.Name), $"tensor '{p.Name}' has shape ({string.Join(", ", info.Shape)}), config.json implies ({string.Join(", ", p.Shape)})");
            file.ReadInto(p.Name, p.Data);
        }
        foreach (var name in file.Tensors.Keys)
            if (model.Find(name) is null && !(name == "lm_head.weight" && config.TieWordEmbeddings))
                throw new CheckpointException(file.PathOf(name), $"tensor '{name}' does not belong to the model config.json describes");
        model.MarkWeightsChanged();
        return new LoadedCheckpoint(model, tokenizer, file.Metadata);
    }

    /// <summary>The folder's tokenizer.json, checked against the model's vocabulary (for loaders that read the weights their own way).</summary>
    public static ITokenizer LoadTokenizer(string directory, TransformerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var tokenizerPath = Path.Combine(directory, TokenizerFile.FileName);
        ITokenizer tokenizer;
        try
        {
            tokenizer = TokenizerFile.Read(tokenizerPath);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw new CheckpointException(tokenizerPath, e.Message, e);
        }
        if (tokenizer.VocabSize > config.VocabSize)
            throw new CheckpointException(tokenizerPath, $"the tokenizer has {tokenizer.VocabSize} ids but config.json's vocab_size is {config.VocabSize}");
        return tokenizer;
    }
}
