using Microsoft.Extensions.Logging;

namespace DiSRouter.Agents.Telemetry;

/// <summary>The agent's log lines, source-generated so that a disabled level costs nothing on the hot path.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Agent {Agent} ({Model}, cost {Cost}) serves {Backend}; successors: {Successors}")]
    public static partial void AgentStarting(ILogger logger, string agent, string model, double cost, string backend, string successors);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug,
        Message = "{Agent} decided {Decision} at alpha {Alpha} in {ModelMs:F1} ms of model time")]
    public static partial void Decided(ILogger logger, string agent, string decision, double alpha, double modelMs);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning,
        Message = "{Agent}: successor {Successor} is unreachable ({Reason}); trying the next one")]
    public static partial void SuccessorUnreachable(ILogger logger, string agent, string successor, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning,
        Message = "{Agent}: every successor is unreachable; answering the rejected query itself")]
    public static partial void AnsweringAfterAllUnreachable(ILogger logger, string agent);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning,
        Message = "{Agent}: every successor is unreachable; the auction ends here with the best bid so far")]
    public static partial void AuctionCut(ILogger logger, string agent);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning,
        Message = "{Agent}: refused a request that already passed {Hops} agents (loop guard at {MaxHops})")]
    public static partial void LoopRefused(ILogger logger, string agent, int hops, int maxHops);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning,
        Message = "{Agent}: the answer failed after the commit point; the stream ends with an error event: {Reason}")]
    public static partial void FailedAfterCommit(ILogger logger, string agent, string reason);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information,
        Message = "Loaded checkpoint {Directory} (generation {Generation}, {Parameters} parameters) in {Ms:F0} ms")]
    public static partial void CheckpointLoaded(ILogger logger, string directory, int generation, long parameters, double ms);

    [LoggerMessage(EventId = 11, Level = LogLevel.Error,
        Message = "Checkpoint {Directory} changed but failed to load; the previous model keeps serving")]
    public static partial void CheckpointReloadFailed(ILogger logger, Exception exception, string directory);

    [LoggerMessage(EventId = 12, Level = LogLevel.Debug,
        Message = "Checkpoint {Directory} changed ({Trigger}); reloading")]
    public static partial void CheckpointChanged(ILogger logger, string directory, string trigger);

    [LoggerMessage(EventId = 14, Level = LogLevel.Information,
        Message = "Checkpoint {Directory} decides by calibrated thresholds ({Points} points of α)")]
    public static partial void DecisionThresholdsLoaded(ILogger logger, string directory, int points);

    [LoggerMessage(EventId = 15, Level = LogLevel.Warning,
        Message = "Checkpoint {Directory}: decision.json was calibrated on other weights ({Calibrated}, loaded {Loaded}); ignored, the model decides by its first token")]
    public static partial void DecisionThresholdsIgnored(ILogger logger, string directory, string calibrated, string loaded);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning,
        Message = "Checkpoint watcher on {Directory} failed; polling continues")]
    public static partial void WatcherFailed(ILogger logger, Exception exception, string directory);
}
