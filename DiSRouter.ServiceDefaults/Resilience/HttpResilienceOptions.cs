namespace DiSRouter.ServiceDefaults.Resilience;

/// <summary>
/// How outgoing HTTP calls of every service survive slow or failing peers. Bound from the "HttpResilience" section.
/// A call to an agent covers the rest of the cascade behind it, so the timeouts are minutes, not seconds.
/// </summary>
public sealed class HttpResilienceOptions
{
    public const string SectionName = "HttpResilience";

    /// <summary>The whole call, retries included.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>One attempt; a hung peer is given up after this.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Retries for idempotent requests (GET, HEAD, OPTIONS, PUT, DELETE) only.</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>First retry delay; exponential with jitter after it.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Share of failed calls in <see cref="SamplingDuration"/> that opens a destination's circuit.</summary>
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>Calls needed in the window before the ratio counts: a single failure does not open the circuit.</summary>
    public int MinimumThroughput { get; set; } = 4;

    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open circuit refuses calls at once before one trial call goes through.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(5);
}
