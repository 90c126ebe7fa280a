using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace DiSRouter.Gateway.Tests.Infrastructure;

/// <summary>Records the measurements of one meter of one gateway (its IMeterFactory scope), with their tags.</summary>
public sealed class MeterRecorder : IDisposable
{
    private readonly MeterListener _listener = new();

    public MeterRecorder(IServiceProvider services, string meterName)
    {
        var factory = services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == meterName && instrument.Meter.Scope == factory) l.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    public ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> Measurements { get; } = new();

    /// <summary>The sum of an instrument's measurements whose tags include every given pair.</summary>
    public double Sum(string instrument, params (string Key, object Value)[] tags) =>
        Measurements.Where(m => m.Instrument == instrument && tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && Equals(v?.ToString(), t.Value.ToString())))
            .Sum(m => m.Value);

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        Measurements.Enqueue((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));

    public void Dispose() => _listener.Dispose();
}
