using DiSRouter.Models;
using DiSRouter.Models.Checkpoints;
using DiSRouter.Models.Inference;
using DiSRouter.Models.Tokenization;

namespace DiSRouter.Agents.Tests.Backends;

/// <summary>A randomly initialised tiny model saved as a real checkpoint in a temp directory.</summary>
internal sealed class TinyCheckpoint : IDisposable
{
    public static readonly TransformerConfig Config = new()
    {
        VocabSize = ByteTokenizer.Default.VocabSize,
        HiddenSize = 32,
        IntermediateSize = TransformerConfig.SwiGluHidden(32),
        NumHiddenLayers = 1,
        NumAttentionHeads = 2,
        NumKeyValueHeads = 1,
        MaxPositionEmbeddings = 512,
    };

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "disrouter-agents-" + Guid.NewGuid().ToString("N"), "nano-test");

    public TransformerModel Save(int seed)
    {
        var model = TransformerModel.Create(Config, seed);
        Checkpoint.Save(Directory, model, ByteTokenizer.Default);
        return model;
    }

    /// <summary>What the model writes greedily for a bare query (no system prompt), as the raw endpoint asks it.</summary>
    public static string GreedyReply(TransformerModel model, string query, int maxNewTokens)
    {
        var prompt = ChatFormat.EncodePrompt(ByteTokenizer.Default, null, query);
        var options = new GenerationOptions { MaxNewTokens = maxNewTokens };
        return new Generator(model, ByteTokenizer.Default).Generate(prompt, options)[0].Text;
    }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Path.GetDirectoryName(Directory)!, recursive: true); }
        catch (IOException) { }
    }
}
