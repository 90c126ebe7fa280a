using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace DiSRouter.AppHost.Supervision;

/// <summary>
/// How the AppHost restarts an agent or the gateway whose process ended without being stopped ("DiSRouter:Restarts").
/// Restarts back off (1 s, 2 s, 4 s, … up to <see cref="MaxDelay"/>), and past <see cref="MaxRestarts"/> in
/// <see cref="Window"/> the service stays down: a process that dies again and again has a cause a restart will not fix.
/// </summary>
internal sealed record RestartPolicy(int MaxRestarts, TimeSpan Window, TimeSpan FirstDelay, TimeSpan MaxDelay)
{
    public const string Section = "DiSRouter:Restarts";

    public static RestartPolicy Default { get; } = new(5, TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

    /// <summary>0 restarts switches the supervisor off.</summary>
    public bool Enabled => MaxRestarts > 0;

    /// <summary>The wait before the <paramref name="restart"/>-th restart within the window (1-based): doubling from the first delay.</summary>
    public TimeSpan DelayBefore(int restart) =>
        TimeSpan.FromTicks(Math.Min(MaxDelay.Ticks, FirstDelay.Ticks * (1L << Math.Clamp(restart - 1, 0, 30))));

    public static RestartPolicy Read(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        return new RestartPolicy(
            Read(section, "MaxRestarts", Default.MaxRestarts, v => (int)v, 0),
            TimeSpan.FromSeconds(Read(section, "WindowSeconds", Default.Window.TotalSeconds, v => v, 1)),
            TimeSpan.FromSeconds(Read(section, "FirstDelaySeconds", Default.FirstDelay.TotalSeconds, v => v, 0)),
            TimeSpan.FromSeconds(Read(section, "MaxDelaySeconds", Default.MaxDelay.TotalSeconds, v => v, 0)));
    }

    private static T Read<T>(IConfigurationSection section, string key, T fallback, Func<double, T> convert, double min)
    {
        if (section[key] is not { Length: > 0 } text) return fallback;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min || double.IsInfinity(value))
            throw new InvalidDataException($"{Section}:{key} must be a number ≥ {min}, got '{text}'.");
        return convert(value);
    }
}
