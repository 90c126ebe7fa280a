using DiSRouter.Core.Scenarios;
using DiSRouter.Models;
using DiSRouter.Models.Checkpoints;
using DiSRouter.Models.Inference;
using DiSRouter.Models.Tokenization;
using DiSRouter.Models.Training;

namespace DiSRouter.Agents.Tests.Backends;

/// <summary>
/// A tiny model trained for a moment, with the real Trainer, to reply "I don't know!" to one query under the Balance
/// scenario: the smallest checkpoint that rejects the way a self-aware agent does.
/// </summary>
internal static class TrainedRejecter
{
    public const string Query = "Who built the lighthouse?";

    /// <summary>The instruction a local agent sends under Balance by default (the compact style self-aware checkpoints are trained with).</summary>
    public static readonly string System = ScenarioPrompt.For(Scenario.Balance, ScenarioPromptStyle.Compact);

    public static TransformerModel Train()
    {
        var model = TransformerModel.Create(TinyCheckpoint.Config, seed: 3);
        var (tokens, mask) = ChatFormat.EncodeExample(ByteTokenizer.Default, System, Query, ScenarioPrompt.RejectText);
        var trainer = new Trainer(model, new TrainerOptions
        {
            LearningRate = 1e-2, MinLearningRate = 1e-2, TotalSteps = 400, WeightDecay = 0, MicroBatchSize = 1, Seed = 1,
        });
        // About 45 steps reach the threshold; the bound only keeps a regression from running long.
        for (int step = 0; step < 400; step++)
            if (trainer.Step([new TrainingExample(tokens, mask)]).Loss < 0.01) break;
        return model;
    }

    /// <summary>The model's greedy reply to the query it was trained on, as the cascade prompts it.</summary>
    public static string Reply(TransformerModel model)
    {
        var prompt = ChatFormat.EncodePrompt(ByteTokenizer.Default, System, Query);
        return new Generator(model, ByteTokenizer.Default).Generate(prompt, new GenerationOptions { MaxNewTokens = 32 })[0].Text;
    }

    public static void Save(string directory, TransformerModel model) => Checkpoint.Save(directory, model, ByteTokenizer.Default);
}
