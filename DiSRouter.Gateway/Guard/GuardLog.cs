namespace DiSRouter.Gateway.Guard;

/// <summary>The guard's warnings; each goes through <see cref="RepeatedLog"/> first. Keys never appear, only their ids.</summary>
internal static partial class GuardLog
{
    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning,
        Message = "Failed authentication from {ClientAddress}: {Reason} ({HeldBack} more from this address not logged since the last line)")]
    public static partial void AuthenticationFailed(ILogger logger, string clientAddress, string reason, long heldBack);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning,
        Message = "{ClientAddress} throttled after {Failures} failed authentications; refused for {RetryAfterSeconds} s ({HeldBack} more not logged)")]
    public static partial void AddressThrottled(ILogger logger, string clientAddress, int failures, int retryAfterSeconds, long heldBack);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning,
        Message = "Rate limit reached for {KeyId}; retry after {RetryAfterSeconds} s ({HeldBack} more not logged)")]
    public static partial void RateLimited(ILogger logger, string keyId, int retryAfterSeconds, long heldBack);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Warning,
        Message = "Budget of {KeyId} spent: {Spent:0.###} of {Budget:0.###} ({HeldBack} more refusals not logged)")]
    public static partial void BudgetSpent(ILogger logger, string keyId, double spent, double budget, long heldBack);

    [LoggerMessage(EventId = 2105, Level = LogLevel.Warning, Message = "Degraded answer ({Action}): {Degraded}")]
    public static partial void Degraded(ILogger logger, string action, string degraded);
}
