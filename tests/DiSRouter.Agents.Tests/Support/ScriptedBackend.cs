using DiSRouter.Core.Scenarios;
using System.Collections.Concurrent;
using DiSRouter.Agents.Backends;

namespace DiSRouter.Agents.Tests.Support;

/// <summary>One call a scripted backend received, and what became of it.</summary>
internal sealed record ScriptedCall(ChatPrompt Prompt, GenerationSettings Settings, IReadOnlyList<ChatSample> Samples)
{
    public string Query => Prompt.Turns[^1].Content;
}

/// <summary>
/// A test double for a model: the reply is chosen by a script from the prompt, then handed out one character per
/// "token" through the caller's callback, exactly as a real backend streams, so early stopping is observable.
/// </summary>
internal sealed class ScriptedBackend(string modelName, Func<ChatPrompt, GenerationSettings, int, string> script) : IChatBackend
{
    private readonly ConcurrentQueue<ScriptedCall> _calls = new();

    public string ModelName { get; } = modelName;

    public bool NeedsProtocolPrompt { get; init; }

    public ScenarioPromptStyle PromptStyle { get; init; } = ScenarioPromptStyle.Full;

    /// <summary>Pause per character, to let a streaming client hang up mid-reply.</summary>
    public TimeSpan DelayPerToken { get; init; }

    /// <summary>Thrown instead of answering (a model that fails).</summary>
    public Exception? Failure { get; set; }

    /// <summary>When set, the model fails after this many characters of its reply (a model that breaks mid-answer).</summary>
    public int? FailAfterTokens { get; set; }

    /// <summary>When set, a deciding call is decided by this calibrated verdict, as a checkpoint with thresholds decides.</summary>
    public DecisionVerdict? Verdict { get; init; }

    public IReadOnlyList<ScriptedCall> Calls => _calls.ToArray();

    public IReadOnlyList<ScriptedCall> CallsFor(string marker) => _calls.Where(c => c.Query.Contains(marker, StringComparison.Ordinal)).ToArray();

    public async Task<ChatGeneration> GenerateAsync(ChatPrompt prompt, GenerationSettings settings,
        Func<int, string, bool>? shouldContinue, CancellationToken ct)
    {
        if (Failure is { } failure) throw failure;
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var promptTokens = (prompt.System?.Length ?? 0) + prompt.Turns.Sum(t => t.Content.Length);
        var verdict = settings.DecideAt is not null ? Verdict : null;
        if (verdict is not null)
        {
            settings.OnVerdict?.Invoke(verdict);
            if (!verdict.Answers)
            {
                _calls.Enqueue(new ScriptedCall(prompt, settings, [new ChatSample("", FinishReasons.Aborted, 1)]));
                return new ChatGeneration([new ChatSample("", FinishReasons.Aborted, 1)], promptTokens, sw.Elapsed) { Decision = verdict };
            }
        }
        var samples = new List<ChatSample>();
        for (int i = 0; i < settings.N; i++)
        {
            var full = (prompt.AssistantPrefix ?? "") + script(prompt, settings, i);
            var produced = prompt.AssistantPrefix?.Length ?? 0;
            var finish = FinishReasons.Stop;
            while (produced < full.Length)
            {
                if (produced - (prompt.AssistantPrefix?.Length ?? 0) >= settings.MaxNewTokens) { finish = FinishReasons.Length; break; }
                if (DelayPerToken > TimeSpan.Zero) await Task.Delay(DelayPerToken, CancellationToken.None);
                produced++;
                if (produced - (prompt.AssistantPrefix?.Length ?? 0) > FailAfterTokens)
                    throw new ModelUnavailableException($"{ModelName} broke after {FailAfterTokens} tokens");
                if (ct.IsCancellationRequested || (shouldContinue is not null && !shouldContinue(i, full[..produced])))
                {
                    finish = FinishReasons.Aborted;
                    break;
                }
            }
            var text = full[..produced];
            foreach (var stop in settings.Stop)
                if (text.IndexOf(stop, StringComparison.Ordinal) is var at and >= 0) { text = text[..at]; finish = FinishReasons.Stop; }
            samples.Add(new ChatSample(text, finish, produced - (prompt.AssistantPrefix?.Length ?? 0)));
        }
        _calls.Enqueue(new ScriptedCall(prompt, settings, samples));
        return new ChatGeneration(samples, promptTokens, sw.Elapsed) { Decision = verdict };
    }

    /// <summary>Rejects ("I don't know!" and more) the queries <paramref name="rejects"/> picks, answers the rest with <paramref name="answer"/>.</summary>
    public static ScriptedBackend Rejecting(string model, Func<string, bool> rejects, string answer) =>
        new(model, (p, _, _) => p.AssistantPrefix is null && rejects(p.Turns[^1].Content)
            ? "I don't know! This part of the reply must never be generated."
            : answer);

    public static ScriptedBackend Answering(string model, string answer) => new(model, (_, _, _) => answer);
}
