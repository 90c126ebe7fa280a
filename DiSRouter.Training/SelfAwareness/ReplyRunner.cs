using DiSRouter.Core.Scenarios;
using DiSRouter.Core.Tasks;
using DiSRouter.Models;
using DiSRouter.Models.Checkpoints;
using DiSRouter.Models.Inference;
using DiSRouter.Models.Tokenization;

namespace DiSRouter.Training.SelfAwareness;

/// <summary>
/// One query put to a self-aware model in one scenario. <see cref="Answered"/>: its greedy decision (the most likely first
/// token is not the rejection's); <see cref="Correct"/>: whether its answer is right, the reply made to open with the
/// answer template whatever it decided (so that every item has a grade: the cascade's last agent, the self-assessment
/// and a calibrated decision need it); <see cref="LogitGap"/>: logit(answer's first token) − logit(rejection's), the
/// number a calibrated decision compares with its threshold.
/// </summary>
internal readonly record struct GradedRun(bool Answered, bool Correct, double LogitGap)
{
    /// <summary>The decision as served: by the checkpoint's calibrated thresholds where it has them, else greedy.</summary>
    public bool AnswersAs(DecisionThresholds? thresholds, double alpha) => thresholds?.Answers(LogitGap, alpha) ?? Answered;
}

/// <summary>
/// Puts queries to one model greedily, many at once (the generator must be thread-safe: ours is, the TorchSharp engine's
/// queues), the way serving does: the
/// scenario instruction as system message, the decision read off the first token, and the answer generated from the
/// answer template's opening (as an answering agent, and the cascade's last agent, generate it).
/// </summary>
internal sealed class ReplyRunner(ITextGenerator generator, ITokenizer tokenizer, IReplyGrader grader, int maxNewTokens, int parallelism)
{
    /// <summary>On our engine: the model served by a thread-safe <see cref="Generator"/>.</summary>
    public ReplyRunner(TransformerModel model, ITokenizer tokenizer, IReplyGrader grader, int maxNewTokens, int parallelism)
        : this(new Generator(model, tokenizer), tokenizer, grader, maxNewTokens, parallelism) { }

    private readonly ITextGenerator _generator = generator;

    /// <summary>The checkpoint's scenario wording (<see cref="Core.Scenarios.ScenarioPromptFile"/>): prompted as it was trained.</summary>
    public ScenarioPromptStyle Style { get; init; } = SelfAwarePrompt.Style;
    private readonly int[] _answerOpening = tokenizer.Encode(AnswerTemplate.Opening);
    private readonly int _rejectToken = tokenizer.Encode(ScenarioPrompt.RejectText)[0];
    private long _promptTokens, _generatedTokens;

    /// <summary>Prompt tokens of every generate call so far (a stage's cost).</summary>
    public long PromptTokens => Interlocked.Read(ref _promptTokens);

    /// <summary>Tokens generated so far, every sample counted.</summary>
    public long GeneratedTokens => Interlocked.Read(ref _generatedTokens);

    /// <summary>The base model as pretrained: no scenario, the task's own system text.</summary>
    public bool[] BaseCorrect(IReadOnlyList<TrainingQuery> queries, Action? onDone = null, CancellationToken ct = default) =>
        Map(queries, q => grader.Grade(q, Reply(ChatFormat.EncodePrompt(tokenizer, q.System, q.Question), ct)).Correct, onDone, ct);

    /// <summary>
    /// The self-aware model in one scenario, as serving runs it: one prompt pass gives the decision (its first token, and
    /// the logit gap a calibrated threshold reads), and the answer is the reply continued from the answer template's
    /// opening — what a serving agent generates once it answers, by either rule.
    /// </summary>
    public GradedRun[] Decide(IReadOnlyList<TrainingQuery> queries, Scenario scenario, Action? onDone = null, CancellationToken ct = default) =>
        Map(queries, q =>
        {
            var prompt = ChatFormat.EncodePrompt(tokenizer, SelfAwarePrompt.System(scenario, q.System, Style), q.Question);
            double gap = double.NaN;
            var first = _generator.Generate(prompt, Greedy with
            {
                MaxNewTokens = 1,
                ChooseFirstToken = logits =>
                {
                    gap = FirstTokenDecision.LogitGap(logits, _answerOpening[0], _rejectToken);
                    return null; // greedy picks the token: the decision as the model takes it unaided
                },
            }, ct: ct)[0];
            Count(prompt.Length, first.TokenIds.Length);
            int[] answerPrompt = [.. prompt, .. _answerOpening];
            var answer = AnswerTemplate.Opening + Reply(answerPrompt, ct);
            return new GradedRun(first.TokenIds.Length > 0 && first.TokenIds[0] != _rejectToken, grader.Grade(q, answer).Correct, gap);
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
            : [.. ChatFormat.EncodePrompt(tokenizer, SelfAwarePrompt.System(scenario, q.System, Style), q.Question), .. _answerOpening];
        var replies = _generator.Generate(prompt, new GenerationOptions
        {
            MaxNewTokens = maxNewTokens, Temperature = (float)temperature, NumSamples = samples, Seed = seed, ReusePrefix = false,
        }, ct: ct);
        return replies.Select(r => grader.Grade(q, scenario is null ? r.Text : AnswerTemplate.Opening + r.Text).Correct).ToArray();
    }

    // Whole prompts, never a cached prefix: the queries run side by side, and reused prefixes would make the logits (and
    // now and then a greedy token or a threshold) depend on which query ran before which.
    private GenerationOptions Greedy => new() { MaxNewTokens = maxNewTokens, Temperature = 0, ReusePrefix = false };

    private string Reply(int[] prompt, CancellationToken ct)
    {
        var reply = _generator.Generate(prompt, Greedy, ct: ct)[0];
        Count(prompt.Length, reply.TokenIds.Length);
        return reply.Text;
    }

    private void Count(int prompt, int generated)
    {
        Interlocked.Add(ref _promptTokens, prompt);
        Interlocked.Add(ref _generatedTokens, generated);
    }

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
