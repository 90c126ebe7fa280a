using System.Diagnostics;
using DiSRouter.Core.Scenarios;
using DiSRouter.Core.Tasks;
using DiSRouter.Models;
using DiSRouter.Models.Inference;
using DiSRouter.Models.Tokenization;
using DiSRouter.Training.SelfAwareness;

namespace DiSRouter.Training.Evaluation;

/// <summary>
/// Puts queries to one model the way <see cref="ReplyRunner"/> does (same prompts, greedy, whole prompts, the decision
/// read off the first token and the answer continued from the template's opening), and also measures what the routing
/// baselines need and ReplyRunner does not keep: each call's model time, its token counts, and the mean token
/// log-probability of the answer (one teacher-forced pass over prompt and answer, batched, after the generation); decisions
/// alone and verifications are batched prompt passes (<see cref="BatchedForward"/>).
/// </summary>
internal sealed class MeasuringRunner(TransformerModel model, ITokenizer tokenizer, IReplyGrader grader, int maxNewTokens, int parallelism)
{
    private readonly Generator _generator = new(model, tokenizer);
    private readonly int[] _answerOpening = tokenizer.Encode(AnswerTemplate.Opening);
    private readonly int _rejectToken = tokenizer.Encode(ScenarioPrompt.RejectText)[0];

    /// <summary>The checkpoint's scenario wording (<see cref="ScenarioPromptFile"/>): prompted as it was trained.</summary>
    public ScenarioPromptStyle Style { get; init; } = SelfAwarePrompt.Style;

    private GenerationOptions Greedy => new() { MaxNewTokens = maxNewTokens, Temperature = 0, ReusePrefix = false };

    /// <summary>The base model as pretrained: no scenario, the task's own system text; graded greedy answers.</summary>
    public MeasuredReply[] Base(IReadOnlyList<TrainingQuery> queries, Action? onDone = null, CancellationToken ct = default)
    {
        var runs = Map(queries, q =>
        {
            var prompt = ChatFormat.EncodePrompt(tokenizer, q.System, q.Question);
            var clock = Stopwatch.StartNew();
            var reply = _generator.Generate(prompt, Greedy, ct: ct)[0];
            double ms = clock.Elapsed.TotalMilliseconds;
            return (Prompt: prompt, Reply: reply, Ms: ms, Correct: grader.Grade(q, reply.Text).Correct);
        }, onDone, ct);
        var logProbs = MeanLogProbs(runs.Select(r => (r.Prompt, r.Reply.TokenIds)).ToList(), ct);
        return runs.Select((r, i) => new MeasuredReply(queries[i].Id, r.Correct, logProbs[i], r.Prompt.Length, r.Reply.TokenIds.Length,
            Math.Round(r.Ms, 3), r.Reply.Text)).ToArray();
    }

    /// <summary>
    /// The self-aware model at <paramref name="alpha"/>: the decision's prompt pass (logit gap, greedy decision), then the
    /// answer from the template's opening, as <see cref="ReplyRunner.Decide"/> runs them. Each query alone, timed: the
    /// latency tables read these times.
    /// </summary>
    public MeasuredDecision[] Decide(IReadOnlyList<TrainingQuery> queries, double alpha, Action? onDone = null, CancellationToken ct = default)
    {
        var scenario = Scenario.FromAlpha(alpha);
        return Map(queries, q =>
        {
            var prompt = DecisionPrompt(scenario, q);
            double gap = double.NaN;
            var clock = Stopwatch.StartNew();
            var first = _generator.Generate(prompt, Greedy with
            {
                MaxNewTokens = 1,
                ChooseFirstToken = logits =>
                {
                    gap = FirstTokenDecision.LogitGap(logits, _answerOpening[0], _rejectToken);
                    return null;
                },
            }, ct: ct)[0];
            double decisionMs = clock.Elapsed.TotalMilliseconds;
            bool greedyAnswers = first.TokenIds.Length > 0 && first.TokenIds[0] != _rejectToken;
            clock.Restart();
            int[] answerPrompt = [.. prompt, .. _answerOpening];
            var answer = _generator.Generate(answerPrompt, Greedy, ct: ct)[0];
            double answerMs = clock.Elapsed.TotalMilliseconds;
            bool correct = grader.Grade(q, AnswerTemplate.Opening + answer.Text).Correct;
            return new MeasuredDecision(q.Id, alpha, Math.Round(gap, 5), greedyAnswers, prompt.Length, Math.Round(decisionMs, 3), true, correct,
                answer.TokenIds.Length, Math.Round(answerMs, 3));
        }, onDone, ct);
    }

    /// <summary>
    /// The self-aware model's decision alone at <paramref name="alpha"/> (the α sweep's points between the named
    /// scenarios): the logit gap and greedy decision read off the prompt's last position, prompts batched
    /// (<see cref="BatchedForward"/>); the decision time recorded is the query's share of its batch.
    /// </summary>
    public MeasuredDecision[] DecideOnly(IReadOnlyList<TrainingQuery> queries, double alpha, Action? onDone = null, CancellationToken ct = default)
    {
        var scenario = Scenario.FromAlpha(alpha);
        var prompts = queries.Select(q => DecisionPrompt(scenario, q)).ToList();
        var gaps = new double[queries.Count];
        var greedy = new bool[queries.Count];
        var ms = BatchedForward.Run(model, prompts, parallelism, (i, logits) =>
        {
            var last = logits[^model.Config.VocabSize..];
            gaps[i] = Math.Round(FirstTokenDecision.LogitGap(last, _answerOpening[0], _rejectToken), 5);
            greedy[i] = BatchedForward.ArgMax(last) != _rejectToken;
        }, n => { for (int j = 0; j < n; j++) onDone?.Invoke(); }, ct);
        return queries.Select((q, i) => new MeasuredDecision(q.Id, alpha, gaps[i], greedy[i], prompts[i].Length, ms[i], false, false, 0, 0)).ToArray();
    }

    /// <summary>
    /// The self-aware model's state where it decides at <paramref name="alpha"/>: the final normed hidden state at the
    /// prompt's last position and the logit gap there, prompts batched (<see cref="BatchedForward"/>).
    /// </summary>
    public MeasuredState[] DecisionStates(IReadOnlyList<TrainingQuery> queries, double alpha, Action? onDone = null, CancellationToken ct = default)
    {
        var scenario = Scenario.FromAlpha(alpha);
        var prompts = queries.Select(q => DecisionPrompt(scenario, q)).ToList();
        var states = new MeasuredState[queries.Count];
        int channels = model.Config.HiddenSize;
        BatchedForward.Run(model, prompts, parallelism, (i, logits, hidden) =>
        {
            var gap = Math.Round(FirstTokenDecision.LogitGap(logits[^model.Config.VocabSize..], _answerOpening[0], _rejectToken), 5);
            var last = hidden[^channels..].ToArray().Select(h => MathF.Round(h, 4)).ToArray();
            states[i] = new MeasuredState(queries[i].Id, alpha, gap, last, MeanOverPositions(hidden, channels));
        }, wantHidden: true, n => { for (int j = 0; j < n; j++) onDone?.Invoke(); }, ct);
        return states;
    }

    // The mean of (T, C) hidden states over T, rounded as the last position's state is.
    private static float[] MeanOverPositions(ReadOnlySpan<float> hidden, int channels)
    {
        var mean = new double[channels];
        int positions = hidden.Length / channels;
        for (int t = 0; t < positions; t++)
            for (int j = 0; j < channels; j++) mean[j] += hidden[t * channels + j];
        return mean.Select(m => MathF.Round((float)(m / positions), 4)).ToArray();
    }

    /// <summary>
    /// AutoMix-style self-verification of this (base) model's own <paramref name="replies"/>: a second prompt asks whether
    /// the answer is right (<see cref="SelfVerification"/>), its reply forced to the final-answer marker, and the logit gap
    /// of "A) yes" over "B) no" at that point is the verification's log-odds. One batched prompt pass per query.
    /// </summary>
    public MeasuredVerification[] Verify(IReadOnlyList<TrainingQuery> queries, IReadOnlyList<MeasuredReply> replies, Action? onDone = null, CancellationToken ct = default)
    {
        var prompts = queries.Select((q, i) => SelfVerification.Encode(tokenizer, q, replies[i].Text, model.Config.MaxPositionEmbeddings)).ToList();
        var gaps = new double[queries.Count];
        int yes = tokenizer.Encode(SelfVerification.YesOption)[0], no = tokenizer.Encode(SelfVerification.NoOption)[0];
        var ms = BatchedForward.Run(model, prompts, parallelism, (i, logits) =>
        {
            var last = logits[^model.Config.VocabSize..];
            gaps[i] = Math.Round((double)last[yes] - last[no], 5);
        }, n => { for (int j = 0; j < n; j++) onDone?.Invoke(); }, ct);
        return queries.Select((q, i) => new MeasuredVerification(q.Id, gaps[i], prompts[i].Length, ms[i])).ToArray();
    }

    private int[] DecisionPrompt(Scenario scenario, TrainingQuery q) => ChatFormat.EncodePrompt(tokenizer, SelfAwarePrompt.System(scenario, q.System, Style), q.Question);

    // Mean log p(answer token | prefix) per reply, from batched grad-free forwards over prompt and answer (the generator
    // keeps no log-probabilities). An empty answer scores 0.
    private double[] MeanLogProbs(IReadOnlyList<(int[] Prompt, int[] Answer)> replies, CancellationToken ct)
    {
        var result = new double[replies.Count];
        var sequences = replies.Select(r => r.Answer.Length == 0 ? Array.Empty<int>() : [.. r.Prompt, .. r.Answer]).ToList();
        int vocab = model.Config.VocabSize;
        BatchedForward.Run(model, sequences, parallelism, (i, logits) =>
        {
            var (prompt, answer) = replies[i];
            // Row t − 1 predicts token t: the answer's tokens are positions prompt.Length .. end.
            double sum = 0;
            for (int t = prompt.Length; t < prompt.Length + answer.Length; t++) sum += BatchedForward.LogProb(logits.Slice((t - 1) * vocab, vocab), answer[t - prompt.Length]);
            result[i] = Math.Round(sum / answer.Length, 5);
        }, ct: ct);
        return result;
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
