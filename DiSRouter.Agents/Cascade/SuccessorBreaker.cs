using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace DiSRouter.Agents.Cascade;

/// <summary>
/// A successor that let a call run into its timeout (it accepted the connection and said nothing: hung, stopped, or
/// far too slow) is skipped at once for Agent:SuccessorBreakSeconds, so that only the first request pays the timeout,
/// not every request behind it. Then one request tries it again (the others keep skipping it while that one waits):
/// an answer closes the breaker, another timeout opens it anew. A refused connection or a 5xx needs none of this, it
/// fails in milliseconds. WHY our own: the standard resilience handler's circuit breaker counts only failures it sees
/// (HttpRequestException, its own timeouts, 5xx); our timeout cancels the call from outside, which it does not count,
/// and it opens only after 100 calls in its sampling window anyway.
/// </summary>
internal sealed class SuccessorBreaker(IOptions<AgentOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _openUntil = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Why to skip the successor now without calling it, or null to call it.</summary>
    public string? SkipReason(string successor)
    {
        if (!_openUntil.TryGetValue(successor, out var until)) return null;
        var now = time.GetUtcNow();
        // Past the break: the caller that moves the mark on tries it; the others go on skipping until that try ends.
        if (now >= until && _openUntil.TryUpdate(successor, now + options.Value.TimeoutFor(successor), until)) return null;
        return $"skipped without a call: it let a call time out and is tried again after {options.Value.SuccessorBreakSeconds:0.#} s";
    }

    public void TimedOut(string successor) =>
        _openUntil[successor] = time.GetUtcNow() + TimeSpan.FromSeconds(options.Value.SuccessorBreakSeconds);

    public void Answered(string successor) => _openUntil.TryRemove(successor, out _);
}
