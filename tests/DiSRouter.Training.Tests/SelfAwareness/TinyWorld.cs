using DiSRouter.Models;
using DiSRouter.Models.Checkpoints;
using DiSRouter.Models.Tokenization;
using DiSRouter.Training.SelfAwareness;

namespace DiSRouter.Training.Tests.SelfAwareness;

/// <summary>A model small enough that sampling, SFT and RL each take well under a second per step on two cores.</summary>
internal static class TinyWorld
{
    public static TransformerConfig Config { get; } = new()
    {
        VocabSize = 264,
        HiddenSize = 32,
        IntermediateSize = 96,
        NumHiddenLayers = 1,
        NumAttentionHeads = 2,
        NumKeyValueHeads = 2,
        MaxPositionEmbeddings = 512,
    };

    public static ITokenizer Tokenizer => ByteTokenizer.Default;

    /// <summary>A freshly initialised tiny model saved as a checkpoint under <paramref name="directory"/>.</summary>
    public static string SaveRandomModel(string directory, int seed)
    {
        Checkpoint.Save(directory, TransformerModel.Create(Config, seed), Tokenizer);
        return directory;
    }

    public static TrainingQuery Query(string id, string question, string reference) => new(id, "toy", "1", null, question, reference);
}

/// <summary>
/// Grades like the task suite does, in miniature: a reply that opens with "I don't know" is a rejection; otherwise
/// the text after "final answer is:" (up to a full stop) is compared with the reference.
/// </summary>
internal sealed class ToyGrader : IReplyGrader
{
    public GradedReply Grade(TrainingQuery query, string reply)
    {
        if (reply.TrimStart().StartsWith("I don't know", StringComparison.OrdinalIgnoreCase)) return new(ResponseOutcome.Rejected, null);
        var (_, answer) = AnswerTemplate.Parse(reply);
        return new(answer == query.Reference ? ResponseOutcome.Correct : ResponseOutcome.Wrong, answer);
    }
}
