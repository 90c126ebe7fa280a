using DiSRouter.Core.Scenarios;
using DiSRouter.Core.Tasks;
using DiSRouter.Models;
using DiSRouter.Models.Checkpoints;
using DiSRouter.Models.Tokenization;
using DiSRouter.Models.Training;
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

    /// <summary>A tiny model taught to reply <paramref name="target"/> to every question in every named scenario, saved under <paramref name="directory"/>.</summary>
    public static string SaveConstantReplier(string directory, IEnumerable<string> questions, string target, int steps = 80, int seed = 3)
    {
        var model = TransformerModel.Create(Config, seed);
        var trainer = new Trainer(model, new TrainerOptions { LearningRate = 1e-2, MinLearningRate = 1e-3, WarmupSteps = 3, TotalSteps = steps, WeightDecay = 0, MicroBatchSize = 16 });
        var batch = questions.SelectMany(q => Scenario.Named.Select(s =>
        {
            var (tokens, mask) = ChatFormat.EncodeExample(Tokenizer, SelfAwarePrompt.System(s, null, SelfAwarePrompt.Style), q, target);
            return new TrainingExample(tokens, mask);
        })).ToList();
        for (int i = 0; i < steps; i++) trainer.Step(batch);
        Checkpoint.Save(directory, model, Tokenizer);
        return directory;
    }
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
