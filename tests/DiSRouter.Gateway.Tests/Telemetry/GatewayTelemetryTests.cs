using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using DiSRouter.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DiSRouter.Gateway.Tests.Telemetry;

public sealed class GatewayTelemetryTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task RequestsAreCountedByScenarioAndAnsweringAgentWithLatencyInSeconds()
    {
        var meterFactory = fixture.Factory.Services.GetRequiredService<IMeterFactory>();
        var measurements = new ConcurrentBag<(string Instrument, string? Unit, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Only this gateway's meter: other test classes run gateways in the same process.
            if (instrument.Meter.Name == "DiSRouter.Gateway" && instrument.Meter.Scope == meterFactory) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => measurements.Add((i.Name, i.Unit, v, ToDictionary(tags))));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => measurements.Add((i.Name, i.Unit, v, ToDictionary(tags))));
        listener.Start();

        using var response = await fixture.PostChatAsync(GatewayFixture.Chat("disrouter-cost-first"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await response.Content.ReadAsStringAsync().WaitAsync(TestTimeouts.Request);
        // Recorded when YARP's forward returns, which may be just after the client has read the last byte.
        var deadline = DateTime.UtcNow + TestTimeouts.Request;
        while (!measurements.Any(m => m.Instrument == "disrouter.gateway.request.duration") && DateTime.UtcNow < deadline) await Task.Delay(10);

        var count = Assert.Single(measurements, m => m.Instrument == "disrouter.gateway.requests");
        Assert.Equal(1, count.Value);
        Assert.Equal("cost-first", count.Tags["disrouter.scenario"]);
        Assert.Equal("agent-1", count.Tags["disrouter.answered_by"]);
        Assert.Equal(200, count.Tags["http.response.status_code"]);
        var duration = Assert.Single(measurements, m => m.Instrument == "disrouter.gateway.request.duration");
        Assert.Equal("s", duration.Unit);
        Assert.InRange(duration.Value, 0, TestTimeouts.Request.TotalSeconds);
    }

    [Fact]
    public async Task HealthProbesAreNotRecordedInTracesButApiCallsAre()
    {
        var stopped = new ConcurrentDictionary<ActivityTraceId, Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => stopped[a.TraceId] = a,
        };
        ActivitySource.AddActivityListener(listener);
        var probeTrace = ActivityTraceId.CreateRandom();
        var apiTrace = ActivityTraceId.CreateRandom();

        await GetAsync("/health", probeTrace);
        await GetAsync("/v1/models", apiTrace);

        Assert.False(stopped[probeTrace].Recorded);
        Assert.True(stopped[apiTrace].Recorded);
    }

    private async Task GetAsync(string path, ActivityTraceId trace)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("traceparent", $"00-{trace.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        using var response = await fixture.Client.SendAsync(request).WaitAsync(TestTimeouts.Request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static Dictionary<string, object?> ToDictionary(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var d = new Dictionary<string, object?>();
        foreach (var t in tags) d[t.Key] = t.Value;
        return d;
    }
}
