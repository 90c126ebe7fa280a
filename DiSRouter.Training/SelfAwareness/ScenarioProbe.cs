using System.Globalization;
using DiSRouter.Core.Scenarios;
using DiSRouter.Models;
using DiSRouter.Models.Inference;
using DiSRouter.Models.Tokenization;

namespace DiSRouter.Training.SelfAwareness;

/// <summary>Per scenario: how often the agent answered, how often it was right, and the mean self-awareness reward.</summary>
internal sealed record ScenarioBehaviour(double Alpha, int Replies, double AnswerRate, double AccuracyAnswered, double MeanReward);

/// <summary>
/// Measures a self-aware model's behaviour per scenario by sampling its replies (temperature 1 draws the policy
/// RL optimises; temperature 0 the greedy behaviour serving shows). Read-only: it never changes the model.
/// </summary>
internal static class ScenarioProbe
{
    public static IReadOnlyList<ScenarioBehaviour> Measure(TransformerModel model, ITokenizer tokenizer, IReadOnlyList<TrainingQuery> queries,
        IReadOnlyList<double> alphas, IReplyGrader grader, SelfAwarenessReward reward, int samplesPerQuery, double temperature,
        int maxNewTokens, int seed, CancellationToken ct = default, ScenarioPromptStyle style = SelfAwarePrompt.Style)
    {
        var generator = new Generator(model, tokenizer);
        var result = new List<ScenarioBehaviour>();
        foreach (var alpha in alphas)
        {
            var scenario = Scenario.FromAlpha(alpha);
            int replies = 0, answered = 0, correct = 0;
            double rewardSum = 0;
            foreach (var q in queries)
            {
                var prompt = ChatFormat.EncodePrompt(tokenizer, SelfAwarePrompt.System(scenario, q.System, style), q.Question);
                var samples = generator.Generate(prompt, new GenerationOptions
                {
                    MaxNewTokens = maxNewTokens,
                    Temperature = (float)temperature,
                    NumSamples = samplesPerQuery,
                    Seed = StableSeed.Derive(seed, "probe", q.Id, alpha.ToString("R", CultureInfo.InvariantCulture)),
                }, ct: ct);
                foreach (var s in samples)
                {
                    var graded = grader.Grade(q, s.Text);
                    replies++;
                    if (graded.Outcome != ResponseOutcome.Rejected) answered++;
                    if (graded.Correct) correct++;
                    rewardSum += reward.For(graded.Outcome, alpha);
                }
            }
            result.Add(new ScenarioBehaviour(alpha, replies, replies == 0 ? 0 : (double)answered / replies,
                answered == 0 ? 0 : (double)correct / answered, replies == 0 ? 0 : rewardSum / replies));
        }
        return result;
    }
}
