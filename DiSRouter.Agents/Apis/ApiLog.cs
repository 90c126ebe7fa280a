namespace DiSRouter.Agents.Apis;

internal static partial class ApiLog
{
    [LoggerMessage(EventId = 30, Level = LogLevel.Warning,
        Message = "{Agent}: a whole answer broke after its commit point (attempt {Attempt}), asking again: {Reason}")]
    public static partial void RetryingWholeAnswer(ILogger logger, string agent, int attempt, string reason);
}
