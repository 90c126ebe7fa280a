using DiSRouter.Core.Scenarios;
using DiSRouter.Models;
using DiSRouter.Models.Inference;
using DiSRouter.Models.Tokenization;

namespace DiSRouter.Training.SelfAwareness;

/// <summary>One greedy reply as graded; <see cref="Forced"/> when the model was made to answer after it declined.</summary>
internal readonly record struct GradedRun(bool Answered, bool Correct, bool Forced);

/// <summary>
/// Puts queries to one model greedily, many at once (the generator is thread-safe), the way serving does:
/// the scenario instruction as system message, a reply that opens with "I don't know" stopped there, and — where
/// an answer is needed anyway (the cascade's last agent, the baselines) — the reply started with the answer
/// template's opening so that the model cannot decline.
/// </summary>
internal sealed class ReplyRunner(TransformerModel model, ITokenizer tokenizer, IReplyGrader grader, int maxNewTokens, int parallelism)
{
    private readonly Generator _generator = new(model, tokenizer);

    /// <summary>The base model as pretrained: no scenario, the task's own system text.</summary>
    public bool[] BaseCorrect(IReadOnlyList<TrainingQuery> queries, Action? onDone = null, CancellationToken ct = default) =>
        Map(queries, q => grader.Grade(q, Reply(ChatFormat.EncodePrompt(tokenizer, q.System, q.Question), ct)).Correct, onDone, ct);

    /// <summary>
    /// The self-aware model in one scenario: its decision, and the correctness of its answer — the forced answer
    /// when it declined, so that every item has a grade (the cascade's last agent and the self-assessment need it).
    /// </summary>
    public GradedRun[] Decide(IReadOnlyList<TrainingQuery> queries, Scenario scenario, Action? onDone = null, CancellationToken ct = default) =>
        Map(queries, q =>
        {
            var prompt = ChatFormat.EncodePrompt(tokenizer, SelfAwarePrompt.System(scenario, q.System), q.Question);
            var first = _generator.Generate(prompt, Greedy, (_, text) => !StartsRejection(text), ct)[0];
            var graded = grader.Grade(q, first.Text);
            if (graded.Outcome != ResponseOutcome.Rejected) return new GradedRun(true, graded.Correct, false);
            int[] forcedPrompt = [.. prompt, .. tokenizer.Encode(AnswerTemplate.StepsPrefix)];
            var forced = AnswerTemplate.StepsPrefix + Reply(forcedPrompt, ct);
            return new GradedRun(false, grader.Grade(q, forced).Correct, true);
        }, onDone, ct);

    /// <summary>
    /// p(x) as the sampling stage estimates it: the share of <paramref name="samples"/> base-model answers at
    /// <paramref name="temperature"/> that are correct (no scenario, the task's own system text).
    /// </summary>
    public double[] Capability(IReadOnlyList<TrainingQuery> queries, int samples, double temperature, int seed, Action? onDone = null,
        CancellationToken ct = default) =>
        Map(queries, q => SampleGrades(q, null, samples, temperature, StableSeed.Derive(seed, "capability", q.Id), ct).Average(c => c ? 1.0 : 0.0), onDone, ct);

    /// <summary>Whether any of <paramref name="samples"/> answers at temperature 1 is correct (the model made to answer).</summary>
    public bool[] SolvedBySampling(IReadOnlyList<TrainingQuery> queries, Scenario? scenario, int samples, int seed, Action? onDone = null,
        CancellationToken ct = default) =>
        Map(queries, q => SampleGrades(q, scenario, samples, 1, StableSeed.Derive(seed, "solved", q.Id), ct).Any(c => c), onDone, ct);

    /// <summary>
    /// The grade of each of <paramref name="samples"/> sampled answers: the base prompt without a scenario, or the scenario's
    /// prompt with the answer template opened (the model made to answer).
    /// </summary>
    private bool[] SampleGrades(TrainingQuery q, Scenario? scenario, int samples, double temperature, int seed, CancellationToken ct)
    {
        int[] prompt = scenario is null
            ? ChatFormat.EncodePrompt(tokenizer, q.System, q.Question)
            : [.. ChatFormat.EncodePrompt(tokenizer, SelfAwarePrompt.System(scenario, q.System), q.Question), .. tokenizer.Encode(AnswerTemplate.StepsPrefix)];
        var replies = _generator.Generate(prompt, new GenerationOptions
        {
            MaxNewTokens = maxNewTokens, Temperature = (float)temperature, NumSamples = samples, Seed = seed,
        }, ct: ct);
        return replies.Select(r => grader.Grade(q, scenario is null ? r.Text : AnswerTemplate.StepsPrefix + r.Text).Correct).ToArray();
    }

    private GenerationOptions Greedy => new() { MaxNewTokens = maxNewTokens, Temperature = 0 };

    private string Reply(int[] prompt, CancellationToken ct) => _generator.Generate(prompt, Greedy, ct: ct)[0].Text;

    private static bool StartsRejection(string text) =>
        text.TrimStart().StartsWith("I don't know", StringComparison.OrdinalIgnoreCase) ||
        text.TrimStart().StartsWith("I don\u2019t know", StringComparison.OrdinalIgnoreCase);

    private T[] Map<T>(IReadOnlyList<TrainingQuery> queries, Func<TrainingQuery, T> run, Action? onDone, CancellationToken ct)
    {
        var results = new T[queries.Count];
        Parallel.For(0, queries.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = ct }, i =>
        {
            results[i] = run(queries[i]);
            onDone?.Invoke();
        });
        return results;
    }
}
