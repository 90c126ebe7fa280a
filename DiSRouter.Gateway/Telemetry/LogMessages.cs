namespace DiSRouter.Gateway.Telemetry;

internal static partial class LogMessages
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information,
        Message = "{Scenario} (α={Alpha}, from {Source}) entered at {EntryAgent}, answered by {AnsweredBy} in {ElapsedMs:0.0} ms")]
    public static partial void Answered(ILogger logger, string scenario, double alpha, string source, string entryAgent, string? answeredBy, double elapsedMs);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Entry agent {EntryAgent} failed: {Reason}")]
    public static partial void EntryAgentFailed(ILogger logger, string entryAgent, string reason, Exception? exception);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Refused a request with {StatusCode}: {Reason}")]
    public static partial void Refused(ILogger logger, int statusCode, string? reason);
}
