using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Serialization;
using DiSRouter.Core.Routing;
using DiSRouter.Gateway.Guard;
using Microsoft.Extensions.Options;

namespace DiSRouter.Gateway.Ledger;

/// <summary>
/// What each key was charged and what its requests consumed, kept in memory since the gateway started. The cost
/// charged is the method's: the answering agent's normalised cost, once per request. The compute spent counts every
/// hop's prompt and completion tokens, rejecting hops included, since a rejection ran a prompt pass too. Streamed and
/// whole answers are read alike (<see cref="LedgerTap"/>). A key whose charges reach its budget is refused with 402.
/// </summary>
internal sealed class CostLedger(IOptionsMonitor<GatewayOptions> options, GuardTelemetry telemetry)
{
    private readonly ConcurrentDictionary<string, KeyAccount> _accounts = new();
    private readonly ConcurrentQueue<LedgerEntry> _recent = new();

    /// <summary>The reason a key may not spend more, or null while it is within its budget.</summary>
    public string? OverBudget(string keyId, out double spent, out double budget)
    {
        var settings = options.CurrentValue.Ledger;
        spent = _accounts.TryGetValue(keyId, out var account) ? account.Snapshot().Cost : 0;
        budget = settings.Budgets.TryGetValue(keyId, out var own) ? own : settings.DefaultBudget ?? double.PositiveInfinity;
        return spent >= budget
            ? string.Create(CultureInfo.InvariantCulture,
                $"The budget of this API key ({budget:0.###} cost units) is spent ({spent:0.###} charged); ask the operator to raise Gateway:Ledger:Budgets:{keyId}.")
            : null;
    }

    /// <summary>Books one answered request from its routing metadata (null when the answer carried none).</summary>
    public LedgerEntry? Record(string keyId, string? requestId, RoutingMetadata? metadata, bool streamed)
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
            AnsweredBy = metadata.AnsweredBy,
            Cost = metadata.Cost,
            Hops = metadata.Path.Count,
            PromptTokens = prompt,
            CompletionTokens = completion,
            Degraded = metadata.Degraded,
            Router = metadata.Router?.Mode,
        };
        _accounts.GetOrAdd(keyId, _ => new KeyAccount()).Add(entry);
        telemetry.Charged(keyId, entry.Cost, prompt, completion);
        _recent.Enqueue(entry);
        while (_recent.Count > Math.Max(0, options.CurrentValue.Ledger.RecentRequests) && _recent.TryDequeue(out _))
        {
        }
        return entry;
    }

    public LedgerReport Report()
    {
        var settings = options.CurrentValue.Ledger;
        return new LedgerReport
        {
            Keys = _accounts.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a =>
            {
                var totals = a.Value.Snapshot();
                double? budget = settings.Budgets.TryGetValue(a.Key, out var own) ? own : settings.DefaultBudget;
                return totals with { KeyId = a.Key, Budget = budget, Remaining = budget is { } b ? Math.Max(0, b - totals.Cost) : null };
            }).ToList(),
            Recent = _recent.ToList(),
        };
    }

    private sealed class KeyAccount
    {
        private readonly Lock _gate = new();
        private KeyTotals _totals = new();

        public void Add(LedgerEntry e)
        {
            lock (_gate)
                _totals = _totals with
                {
                    Requests = _totals.Requests + 1,
                    Cost = _totals.Cost + e.Cost,
                    PromptTokens = _totals.PromptTokens + e.PromptTokens,
                    CompletionTokens = _totals.CompletionTokens + e.CompletionTokens,
                    Degraded = _totals.Degraded + (e.Degraded is null ? 0 : 1),
                };
        }

        public KeyTotals Snapshot()
        {
            lock (_gate) return _totals;
        }
    }
}

/// <summary>One answered request as the ledger booked it.</summary>
internal sealed record LedgerEntry
{
    [JsonPropertyName("at")] public DateTimeOffset At { get; init; }
    [JsonPropertyName("key_id")] public string KeyId { get; init; } = "";
    [JsonPropertyName("request_id")] public string? RequestId { get; init; }
    [JsonPropertyName("streamed")] public bool Streamed { get; init; }
    [JsonPropertyName("answered_by")] public string? AnsweredBy { get; init; }
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

/// <summary>A key's totals since the gateway started, with its budget (null = unlimited).</summary>
internal sealed record KeyTotals
{
    [JsonPropertyName("key_id")] public string KeyId { get; init; } = "";
    [JsonPropertyName("requests")] public long Requests { get; init; }
    [JsonPropertyName("cost")] public double Cost { get; init; }
    [JsonPropertyName("prompt_tokens")] public long PromptTokens { get; init; }
    [JsonPropertyName("completion_tokens")] public long CompletionTokens { get; init; }
    [JsonPropertyName("degraded")] public long Degraded { get; init; }
    [JsonPropertyName("budget")] public double? Budget { get; init; }
    [JsonPropertyName("remaining")] public double? Remaining { get; init; }
}

internal sealed record LedgerReport
{
    [JsonPropertyName("keys")] public List<KeyTotals> Keys { get; init; } = [];
    [JsonPropertyName("recent")] public List<LedgerEntry> Recent { get; init; } = [];
}
