using Microsoft.Extensions.Logging;

namespace DiSRouter.ServiceDefaults.Telemetry;

internal static partial class LogMessages
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Circuit to {Destination} opened for {BreakDuration}: it failed repeatedly")]
    public static partial void CircuitOpened(ILogger logger, string destination, TimeSpan breakDuration);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Circuit to {Destination} closed: it answers again")]
    public static partial void CircuitClosed(ILogger logger, string destination);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Parent process {ParentPid} is gone: stopping")]
    public static partial void ParentProcessExited(ILogger logger, int parentPid);
}
