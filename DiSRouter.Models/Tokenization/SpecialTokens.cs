namespace DiSRouter.Models.Tokenization;

/// <summary>Names of the special tokens every DiSRouter tokenizer provides.</summary>
public static class SpecialTokens
{
    public const string Pad = "<|pad|>";
    public const string Bos = "<|bos|>";
    public const string Eos = "<|eos|>";
    public const string System = "<|system|>";
    public const string User = "<|user|>";
    public const string Assistant = "<|assistant|>";
}
