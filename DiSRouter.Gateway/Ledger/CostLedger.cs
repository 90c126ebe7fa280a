using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using DiSRouter.Core.Routing;
using DiSRouter.Gateway.Guard;
using Microsoft.Extensions.Options;

namespace DiSRouter.Gateway.Ledger;

/// <summary>
/// What each key was charged and what its requests consumed. The cost charged is the method's: the answering agent's
/// normalised cost, once per answered request. The compute spent counts every hop's prompt and completion tokens,
/// rejecting hops included, since a rejection ran a prompt pass too, and is booked for requests that got no answer as
/// well (a stream that ended in the error event, an answer the Refuse policy turned into a 503), charged nothing.
/// Streamed and whole answers are read alike (<see cref="LedgerTap"/>). A key whose charges reach its budget is refused
/// with 402. The books survive a restart: every booking goes to the journal (<see cref="LedgerJournal"/>), reloaded here.
/// </summary>
internal sealed class CostLedger
{
    private readonly IOptionsMonitor<GatewayOptions> _options;
    private readonly GuardTelemetry _telemetry;
    private readonly LedgerJournal? _journal;

    // One lock for the totals, the recent requests and the sequence, so that a snapshot holds exactly the bookings up to its seq.
    private readonly Lock _gate = new();
    private readonly Dictionary<string, KeyTotals> _totals = new(StringComparer.Ordinal);
    private readonly Queue<LedgerEntry> _recent = new();
    private long _seq;

    public CostLedger(IOptionsMonitor<GatewayOptions> options, GuardTelemetry telemetry, ILogger<CostLedger> logger)
    {
        _options = options;
        _telemetry = telemetry;
        var settings = options.CurrentValue.Ledger;
        if (string.IsNullOrEmpty(settings.Directory)) return;
        _journal = new LedgerJournal(settings.Directory, logger);
        var state = _journal.Load();
        _seq = state.Seq;
        foreach (var totals in state.Keys) _totals[totals.KeyId] = totals with { Budget = null, Remaining = null };
        foreach (var entry in state.Recent) Remember(entry);
        foreach (var entry in state.Replayed)
        {
            Add(entry);
            Remember(entry);
        }
    }

    /// <summary>The journal the books are kept in, or null when Gateway:Ledger:Directory is empty (memory only).</summary>
    public LedgerJournal? Journal => _journal;

    /// <summary>The reason a key may not spend more, or null while it is within its budget.</summary>
    public string? OverBudget(string keyId, out double spent, out double budget)
    {
        var settings = _options.CurrentValue.Ledger;
        lock (_gate) spent = _totals.TryGetValue(keyId, out var totals) ? totals.Cost : 0;
        budget = settings.Budgets.TryGetValue(keyId, out var own) ? own : settings.DefaultBudget ?? double.PositiveInfinity;
        return spent >= budget
            ? string.Create(CultureInfo.InvariantCulture,
                $"The budget of this API key ({budget:0.###} cost units) is spent ({spent:0.###} charged); ask the operator to raise Gateway:Ledger:Budgets:{keyId}.")
            : null;
    }

    /// <summary>
    /// Books one request from its routing metadata (null when the answer carried none: nothing is booked). Only an
    /// answered request is charged; a failed or refused one books its compute at no charge.
    /// </summary>
    public LedgerEntry? Record(string keyId, string? requestId, RoutingMetadata? metadata, bool streamed, LedgerOutcome outcome = LedgerOutcome.Answered)
    {
        if (metadata is null) return null;
        long prompt = 0, completion = 0;
        foreach (var hop in metadata.Path)
        {
            prompt += hop.PromptTokens ?? 0;
            completion += hop.CompletionTokens ?? 0;
        }
        var entry = new LedgerEntry
        {
            At = DateTimeOffset.UtcNow,
            KeyId = keyId,
            RequestId = requestId,
            Streamed = streamed,
            Outcome = outcome,
            AnsweredBy = outcome == LedgerOutcome.Answered ? metadata.AnsweredBy : null,
            Cost = outcome == LedgerOutcome.Answered ? metadata.Cost : 0,
            Hops = metadata.Path.Count,
            PromptTokens = prompt,
            CompletionTokens = completion,
            Degraded = metadata.Degraded,
            Router = metadata.Router?.Mode,
        };
        lock (_gate)
        {
            entry = entry with { Seq = ++_seq };
            Add(entry);
            Remember(entry);
            _journal?.Append(entry);
        }
        _telemetry.Charged(keyId, entry.Cost, prompt, completion);
        return entry;
    }

    public LedgerReport Report()
    {
        var settings = _options.CurrentValue.Ledger;
        var state = Capture();
        return new LedgerReport
        {
            Keys = state.Keys.Select(totals =>
            {
                double? budget = settings.Budgets.TryGetValue(totals.KeyId, out var own) ? own : settings.DefaultBudget;
                return totals with { Budget = budget, Remaining = budget is { } b ? Math.Max(0, b - totals.Cost) : null };
            }).ToList(),
            Recent = state.Recent,
        };
    }

    /// <summary>Every key's totals, the recent requests and the last booking's seq, taken together (what a snapshot holds).</summary>
    public LedgerState Capture()
    {
        lock (_gate)
            return new LedgerState
            {
                Seq = _seq,
                Keys = _totals.Values.OrderBy(t => t.KeyId, StringComparer.Ordinal).ToList(),
                Recent = [.. _recent],
            };
    }

    private void Add(LedgerEntry e)
    {
        var totals = _totals.TryGetValue(e.KeyId, out var t) ? t : new KeyTotals { KeyId = e.KeyId };
        _totals[e.KeyId] = totals with
        {
            Requests = totals.Requests + 1,
            Cost = totals.Cost + e.Cost,
            PromptTokens = totals.PromptTokens + e.PromptTokens,
            CompletionTokens = totals.CompletionTokens + e.CompletionTokens,
            Degraded = totals.Degraded + (e.Degraded is null ? 0 : 1),
            Failed = totals.Failed + (e.Outcome == LedgerOutcome.Failed ? 1 : 0),
            Refused = totals.Refused + (e.Outcome == LedgerOutcome.Refused ? 1 : 0),
        };
    }

    private void Remember(LedgerEntry e)
    {
        _recent.Enqueue(e);
        while (_recent.Count > Math.Max(0, _options.CurrentValue.Ledger.RecentRequests)) _recent.Dequeue();
    }
}

/// <summary>How a booked request ended for the client.</summary>
[JsonConverter(typeof(LedgerOutcomeConverter))]
internal enum LedgerOutcome
{
    /// <summary>Answered (200): charged the answering agent's cost.</summary>
    Answered,

    /// <summary>The stream ended in the error event (an agent failed mid-answer): no answer, nothing charged.</summary>
    Failed,

    /// <summary>A degraded answer the Refuse policy replaced with a 503: nothing charged.</summary>
    Refused,
}

/// <summary>"answered", "failed", "refused" on the wire and in the journal.</summary>
internal sealed class LedgerOutcomeConverter() : JsonStringEnumConverter<LedgerOutcome>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false);

/// <summary>One request as the ledger booked it; also one line of the journal.</summary>
internal sealed record LedgerEntry
{
    /// <summary>The booking's number, rising by one per booking: a snapshot says up to which one it holds.</summary>
    [JsonPropertyName("seq")] public long Seq { get; init; }
    [JsonPropertyName("at")] public DateTimeOffset At { get; init; }
    [JsonPropertyName("key_id")] public string KeyId { get; init; } = "";
    [JsonPropertyName("request_id")] public string? RequestId { get; init; }
    [JsonPropertyName("streamed")] public bool Streamed { get; init; }
    [JsonPropertyName("outcome")] public LedgerOutcome Outcome { get; init; }
    [JsonPropertyName("answered_by")] public string? AnsweredBy { get; init; }

    /// <summary>The cost charged: the answering agent's, or 0 when the request got no answer.</summary>
    [JsonPropertyName("cost")] public double Cost { get; init; }
    [JsonPropertyName("hops")] public int Hops { get; init; }
    [JsonPropertyName("prompt_tokens")] public long PromptTokens { get; init; }
    [JsonPropertyName("completion_tokens")] public long CompletionTokens { get; init; }
    [JsonPropertyName("degraded")] public string? Degraded { get; init; }

    /// <summary>The central router that chose the agent ("self-route"), whose hop <see cref="Hops"/> counts (no tokens, no cost); null in the cascade.</summary>
    [JsonPropertyName("router")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Router { get; init; }
}

/// <summary>A key's totals since its books began (kept across restarts), with its budget (null = unlimited).</summary>
internal sealed record KeyTotals
{
    [JsonPropertyName("key_id")] public string KeyId { get; init; } = "";
    [JsonPropertyName("requests")] public long Requests { get; init; }
    [JsonPropertyName("cost")] public double Cost { get; init; }
    [JsonPropertyName("prompt_tokens")] public long PromptTokens { get; init; }
    [JsonPropertyName("completion_tokens")] public long CompletionTokens { get; init; }
    [JsonPropertyName("degraded")] public long Degraded { get; init; }

    /// <summary>Requests whose stream ended in the error event (compute booked, nothing charged).</summary>
    [JsonPropertyName("failed")] public long Failed { get; init; }

    /// <summary>Degraded answers refused with 503 by Gateway:DegradedAnswers = Refuse (compute booked, nothing charged).</summary>
    [JsonPropertyName("refused")] public long Refused { get; init; }

    [JsonPropertyName("budget")] public double? Budget { get; init; }
    [JsonPropertyName("remaining")] public double? Remaining { get; init; }
}

internal sealed record LedgerReport
{
    [JsonPropertyName("keys")] public List<KeyTotals> Keys { get; init; } = [];
    [JsonPropertyName("recent")] public List<LedgerEntry> Recent { get; init; } = [];
}

/// <summary>The books at one booking: what a snapshot file holds.</summary>
internal sealed record LedgerState
{
    [JsonPropertyName("seq")] public long Seq { get; init; }
    [JsonPropertyName("keys")] public List<KeyTotals> Keys { get; init; } = [];
    [JsonPropertyName("recent")] public List<LedgerEntry> Recent { get; init; } = [];
}
