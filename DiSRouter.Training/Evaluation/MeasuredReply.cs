using System.Text.Json.Serialization;

namespace DiSRouter.Training.Evaluation;

/// <summary>
/// One model's greedy reply to one query as measured for the routing report: its grade, the mean log-probability of
/// its tokens (the confidence a cascade thresholds), its size and the model time it took (prompt pass and decoding).
/// </summary>
internal sealed record MeasuredReply(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("correct")] bool Correct,
    [property: JsonPropertyName("mean_logprob")] double MeanLogProb,
    [property: JsonPropertyName("prompt_tokens")] int PromptTokens,
    [property: JsonPropertyName("completion_tokens")] int CompletionTokens,
    [property: JsonPropertyName("model_ms")] double ModelMs,
    [property: JsonPropertyName("text")] string Text);

/// <summary>
/// A self-aware checkpoint's decision on one query at one α, as a serving agent takes it: the first-token logit gap
/// (what calibrated thresholds read), the greedy decision, and the time of that prompt pass; then the answer it gives
/// when it answers (made to open with the answer template), graded and timed — unless only the decision was
/// measured (<see cref="HasAnswer"/> false: the α sweep's points between the named scenarios).
/// </summary>
internal sealed record MeasuredDecision(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("alpha")] double Alpha,
    [property: JsonPropertyName("logit_gap")] double LogitGap,
    [property: JsonPropertyName("greedy_answers")] bool GreedyAnswers,
    [property: JsonPropertyName("prompt_tokens")] int PromptTokens,
    [property: JsonPropertyName("decision_ms")] double DecisionMs,
    [property: JsonPropertyName("has_answer")] bool HasAnswer,
    [property: JsonPropertyName("correct")] bool Correct,
    [property: JsonPropertyName("completion_tokens")] int CompletionTokens,
    [property: JsonPropertyName("answer_ms")] double AnswerMs);

/// <summary>
/// A base model's p(x) on one query: the share of <see cref="Samples"/> sampled answers (no scenario, the task's own system
/// text, <see cref="RoutingReportOptions.CapabilityTemperature"/>) that are right, as the sampling stage labels the
/// agent's own SFT data.
/// </summary>
internal sealed record MeasuredCapability(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("p")] double P,
    [property: JsonPropertyName("samples")] int Samples);

/// <summary>
/// A base model's verification of its own answer to one query (AutoMix-style): the log-odds it gives "yes, the answer is
/// right" over "no" when asked by a second prompt (<see cref="SelfVerification"/>), and that prompt pass's time (its share
/// of a batched pass).
/// </summary>
internal sealed record MeasuredVerification(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("yes_no_gap")] double YesNoGap,
    [property: JsonPropertyName("prompt_tokens")] int PromptTokens,
    [property: JsonPropertyName("verify_ms")] double VerifyMs);

/// <summary>
/// A self-aware checkpoint's own state where it decides, on one query at one α: the final normed hidden state at the
/// decision position (the prompt's last token, the vector its output head reads to choose answer or reject), rounded to
/// 4 decimals, and the logit gap read off the same pass. What a probe of the model's self-knowledge reads. Also the mean of
/// the final normed hidden states over every prompt position (<see cref="Pooled"/>): what the model holds of the whole
/// query, not only of the position it decides at.
/// </summary>
internal sealed record MeasuredState(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("alpha")] double Alpha,
    [property: JsonPropertyName("logit_gap")] double LogitGap,
    [property: JsonPropertyName("hidden")] float[] Hidden,
    [property: JsonPropertyName("pooled")] float[] Pooled);
