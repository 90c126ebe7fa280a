using DiSRouter.Models;
using DiSRouter.Models.Checkpoints;
using DiSRouter.Models.Tokenization;
using DiSRouter.Training.Bench;

namespace DiSRouter.Training.Tests.Bench;

public sealed class GenerationBenchTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("genbench-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly TransformerConfig Config = new()
    {
        VocabSize = 264, HiddenSize = 16, IntermediateSize = 32, NumHiddenLayers = 1, NumAttentionHeads = 2, NumKeyValueHeads = 2,
        MaxPositionEmbeddings = 320, RmsNormEps = 1e-6, TieWordEmbeddings = true, AttentionBias = false,
    };

    [Fact]
    public void EveryCheckpointInTheFolderGetsARejectAndAnAnswerRow()
    {
        Checkpoint.Save(Path.Combine(_dir, "tiny-a"), TransformerModel.Create(Config, seed: 1), ByteTokenizer.Default);
        Checkpoint.Save(Path.Combine(_dir, "tiny-b"), TransformerModel.Create(Config, seed: 2), ByteTokenizer.Default);
        var output = new StringWriter();

        int code = GenerationBench.Run(output, _dir, prompts: 2, answerTokens: 4, gapMs: 0, rounds: 1, json: false);

        Assert.Equal(0, code);
        var text = output.ToString();
        Assert.Contains("tiny-a", text);
        Assert.Contains("tiny-b", text);
        Assert.Equal(2, text.Split('\n').Count(l => l.Contains("| answer", StringComparison.Ordinal)));
    }

    [Fact]
    public void ComparingRepackedWeightsAddsTheirRowsAndRestoresThePrepackedEngine()
    {
        Checkpoint.Save(Path.Combine(_dir, "tiny"), TransformerModel.Create(Config, seed: 3), ByteTokenizer.Default);
        var output = new StringWriter();

        int code = GenerationBench.Run(output, _dir, prompts: 4, answerTokens: 4, gapMs: 0, rounds: 1, json: false, compareRepacked: true);

        Assert.Equal(0, code);
        var lines = output.ToString().Split('\n');
        Assert.Single(lines, l => l.Contains("| rej rp", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("| ans rp", StringComparison.Ordinal));
        Assert.True(DiSRouter.Models.Kernels.Gemm.UsePrepackedPanels);
    }

    [Fact]
    public void AFolderWithoutCheckpointsIsAnError() =>
        Assert.Equal(2, GenerationBench.Run(new StringWriter(), _dir, prompts: 2, answerTokens: 4, gapMs: 0, rounds: 1, json: false));
}
