namespace DiSRouter.Gateway.Ledger;

/// <summary>What the ledger's persistence logs. Keys never appear, only their ids.</summary>
internal static partial class LedgerLog
{
    [LoggerMessage(EventId = 2201, Level = LogLevel.Information,
        Message = "Ledger loaded from {Directory}: {Keys} keys in the snapshot (up to booking {Seq}), {Replayed} bookings replayed from the journal")]
    public static partial void Loaded(ILogger logger, string directory, int keys, long seq, int replayed);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Warning,
        Message = "Ledger journal {Path}, line {Line}: not a booking, skipped ({Reason})")]
    public static partial void JournalLineSkipped(ILogger logger, string path, int line, string reason);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Error,
        Message = "Ledger snapshot {Path} cannot be read ({Reason}); moved to {Aside}, the books start from the journal alone")]
    public static partial void SnapshotUnreadable(ILogger logger, string path, string aside, string reason);

    [LoggerMessage(EventId = 2204, Level = LogLevel.Error,
        Message = "Ledger could not be written to {Directory}; the bookings stay in memory and are tried again")]
    public static partial void WriteFailed(ILogger logger, string directory, Exception exception);
}
