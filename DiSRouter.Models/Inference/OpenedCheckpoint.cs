using DiSRouter.Models.Tokenization;

namespace DiSRouter.Models.Inference;

/// <summary>
/// A checkpoint folder opened on an engine: its generator, tokenizer and config, and what a server checks files
/// against: the fingerprint of the weights as the file holds them (<see cref="Checkpoints.WeightsFingerprint"/>,
/// whatever type the engine keeps them in) and the parameter count.
/// </summary>
public sealed record OpenedCheckpoint(ITextGenerator Generator, ITokenizer Tokenizer, TransformerConfig Config, string WeightsFingerprint, long ParameterCount);
