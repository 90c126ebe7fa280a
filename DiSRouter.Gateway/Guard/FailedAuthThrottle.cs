using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;

namespace DiSRouter.Gateway.Guard;

/// <summary>
/// Counts failed authentications per client address in a fixed window (Gateway:FailedAuth). Past the limit, every
/// request from that address to a guarded path gets 429 with Retry-After (the window's end) before its key is even
/// looked at: a valid key from a throttled address waits too, or a guesser would learn from the difference.
/// </summary>
internal sealed class FailedAuthThrottle(IOptionsMonitor<GatewayOptions> options, GuardTelemetry telemetry, RepeatedLog repeated,
    ILogger<FailedAuthThrottle> logger)
{
    private const int MaxAddresses = 100_000;

    private readonly ConcurrentDictionary<string, Window> _windows = new();

    /// <summary>Called where a 401 is sent: counts it, and logs it at most once per address and interval.</summary>
    public void RecordFailure(HttpContext http, string reason)
    {
        var address = AddressOf(http);
        telemetry.Refused(StatusCodes.Status401Unauthorized, "authentication");
        if (repeated.ShouldLog("auth-failed", address, out var heldBack)) GuardLog.AuthenticationFailed(logger, address, reason, heldBack);

        var settings = options.CurrentValue.FailedAuth;
        if (_windows.Count > MaxAddresses) Sweep(settings);
        var window = _windows.GetOrAdd(address, _ => new Window());
        lock (window)
        {
            var now = Stopwatch.GetTimestamp();
            if (window.Started == 0 || Stopwatch.GetElapsedTime(window.Started, now).TotalSeconds >= settings.WindowSeconds)
            {
                window.Started = now;
                window.Failures = 0;
            }
            window.Failures++;
        }
    }

    /// <summary>The seconds until the address may try again, or null when it is not throttled.</summary>
    public int? RetryAfter(HttpContext http)
    {
        if (!_windows.TryGetValue(AddressOf(http), out var window)) return null;
        var settings = options.CurrentValue.FailedAuth;
        lock (window)
        {
            var elapsed = Stopwatch.GetElapsedTime(window.Started).TotalSeconds;
            if (window.Failures < settings.MaxFailures || elapsed >= settings.WindowSeconds) return null;
            return Math.Max(1, (int)Math.Ceiling(settings.WindowSeconds - elapsed));
        }
    }

    /// <summary>Middleware: refuses a throttled address on the guarded paths (/v1, /admin) before authentication.</summary>
    public async Task GuardAsync(HttpContext http, Func<Task> next)
    {
        var path = http.Request.Path;
        if ((path.StartsWithSegments("/v1") || path.StartsWithSegments("/admin")) && RetryAfter(http) is { } seconds)
        {
            var address = AddressOf(http);
            telemetry.Refused(StatusCodes.Status429TooManyRequests, "failed-authentications");
            if (repeated.ShouldLog("auth-throttled", address, out var heldBack))
                GuardLog.AddressThrottled(logger, address, options.CurrentValue.FailedAuth.MaxFailures, seconds, heldBack);
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            await TypedResults.Problem(
                title: "Too Many Requests",
                detail: $"Too many failed authentications from this address; retry after {seconds} s.",
                statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(http);
            return;
        }
        await next();
    }

    private static string AddressOf(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private void Sweep(FailedAuthSettings settings)
    {
        foreach (var (address, window) in _windows)
            if (Stopwatch.GetElapsedTime(window.Started).TotalSeconds >= settings.WindowSeconds) _windows.TryRemove(address, out _);
    }

    private sealed class Window
    {
        public long Started;
        public int Failures;
    }
}
