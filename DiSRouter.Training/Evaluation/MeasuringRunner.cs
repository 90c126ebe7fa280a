using System.Diagnostics;
using DiSRouter.Core.Scenarios;
using DiSRouter.Core.Tasks;
using DiSRouter.Models;
using DiSRouter.Models.Inference;
using DiSRouter.Models.Tokenization;
using DiSRouter.Models.Training;
using DiSRouter.Training.SelfAwareness;

namespace DiSRouter.Training.Evaluation;

/// <summary>
/// Puts queries to one model the way <see cref="ReplyRunner"/> does (same prompts, greedy, whole prompts, the decision
/// read off the first token and the answer continued from the template's opening), and also measures what the routing
/// baselines need and ReplyRunner does not keep: each call's model time, its token counts, and the mean token
/// log-probability of the answer (one teacher-forced pass over prompt and answer, batched, after the generation).
/// </summary>
internal sealed class MeasuringRunner(TransformerModel model, ITokenizer tokenizer, IReplyGrader grader, int maxNewTokens, int parallelism)
{
    /// <summary>Sequences per teacher-forced pass: bounds the activation memory of the scoring forward.</summary>
    private const int ScoreBatch = 16;

    private readonly Generator _generator = new(model, tokenizer);
    private readonly int[] _answerOpening = tokenizer.Encode(AnswerTemplate.Opening);
    private readonly int _rejectToken = tokenizer.Encode(ScenarioPrompt.RejectText)[0];

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
    /// answer from the template's opening, as <see cref="ReplyRunner.Decide"/> runs them (the decision alone without <paramref name="withAnswer"/>).
    /// </summary>
    public MeasuredDecision[] Decide(IReadOnlyList<TrainingQuery> queries, double alpha, bool withAnswer, Action? onDone = null, CancellationToken ct = default)
    {
        var scenario = Scenario.FromAlpha(alpha);
        return Map(queries, q =>
        {
            var prompt = ChatFormat.EncodePrompt(tokenizer, SelfAwarePrompt.System(scenario, q.System), q.Question);
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
            if (!withAnswer) return new MeasuredDecision(q.Id, alpha, Math.Round(gap, 5), greedyAnswers, prompt.Length, Math.Round(decisionMs, 3), false, false, 0, 0);
            clock.Restart();
            int[] answerPrompt = [.. prompt, .. _answerOpening];
            var answer = _generator.Generate(answerPrompt, Greedy, ct: ct)[0];
            double answerMs = clock.Elapsed.TotalMilliseconds;
            bool correct = grader.Grade(q, AnswerTemplate.Opening + answer.Text).Correct;
            return new MeasuredDecision(q.Id, alpha, Math.Round(gap, 5), greedyAnswers, prompt.Length, Math.Round(decisionMs, 3), true, correct,
                answer.TokenIds.Length, Math.Round(answerMs, 3));
        }, onDone, ct);
    }

    // Mean log p(answer token | prefix) per reply, from one grad-free-in-effect forward of the training graph (the
    // generator keeps no log-probabilities). An empty answer scores 0.
    private double[] MeanLogProbs(IReadOnlyList<(int[] Prompt, int[] Answer)> replies, CancellationToken ct)
    {
        var trainer = new Trainer(model, new TrainerOptions { MicroBatchSize = ScoreBatch });
        var result = new double[replies.Count];
        for (int start = 0; start < replies.Count; start += ScoreBatch)
        {
            ct.ThrowIfCancellationRequested();
            var batch = Enumerable.Range(start, Math.Min(ScoreBatch, replies.Count - start))
                .Where(i => replies[i].Answer.Length > 0).ToList();
            if (batch.Count == 0) continue;
            using var pass = trainer.ForwardLogProbs(batch.Select(i => (int[])[.. replies[i].Prompt, .. replies[i].Answer]).ToList());
            for (int j = 0; j < batch.Count; j++)
            {
                var (prompt, answer) = replies[batch[j]];
                var lp = pass.LogProbs[j];
                // lp[t − 1] scores token t: the answer's tokens are positions prompt.Length .. end.
                double sum = 0;
                for (int t = prompt.Length; t < prompt.Length + answer.Length; t++) sum += lp[t - 1];
                result[batch[j]] = Math.Round(sum / answer.Length, 5);
            }
        }
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
