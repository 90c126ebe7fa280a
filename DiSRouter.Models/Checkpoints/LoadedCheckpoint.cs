using DiSRouter.Models.Tokenization;

namespace DiSRouter.Models.Checkpoints;

/// <summary>A model read from a checkpoint folder, its tokenizer, and the string metadata saved with it.</summary>
public sealed record LoadedCheckpoint(TransformerModel Model, ITokenizer Tokenizer, IReadOnlyDictionary<string, string> Metadata);
