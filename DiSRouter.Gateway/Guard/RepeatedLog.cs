using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace DiSRouter.Gateway.Guard;

/// <summary>
/// Lets a repeated warning through at most once per key and interval (Gateway:RepeatedLogIntervalSeconds), with the
/// count of the ones held back since. Under a flood (a key far over its rate, a guesser at full speed) the log keeps one
/// line a minute per offender instead of one per request; the metrics still count every one.
/// </summary>
internal sealed class RepeatedLog(IOptionsMonitor<GatewayOptions> options)
{
    /// <summary>Past this many keys the table starts over: an address-spraying flood cannot grow it without bound.</summary>
    private const int MaxKeys = 10_000;

    private readonly ConcurrentDictionary<(string Event, string Key), Entry> _entries = new();

    /// <summary>True when this occurrence is to be logged; <paramref name="heldBack"/> is how many were not since the last.</summary>
    public bool ShouldLog(string eventName, string key, out long heldBack)
    {
        var now = Stopwatch.GetTimestamp();
        var interval = TimeSpan.FromSeconds(options.CurrentValue.RepeatedLogIntervalSeconds);
        if (_entries.Count > MaxKeys) _entries.Clear();
        var entry = _entries.GetOrAdd((eventName, key), _ => new Entry());
        lock (entry)
        {
            if (entry.LastLogged != 0 && Stopwatch.GetElapsedTime(entry.LastLogged, now) < interval)
            {
                entry.HeldBack++;
                heldBack = 0;
                return false;
            }
            heldBack = entry.HeldBack;
            entry.HeldBack = 0;
            entry.LastLogged = now;
            return true;
        }
    }

    private sealed class Entry
    {
        public long LastLogged;
        public long HeldBack;
    }
}
