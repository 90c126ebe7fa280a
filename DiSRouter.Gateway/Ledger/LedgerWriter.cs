using Microsoft.Extensions.Options;

namespace DiSRouter.Gateway.Ledger;

/// <summary>
/// Writes the ledger's bookings to its journal every Gateway:Ledger:FlushIntervalSeconds (a group of lines, one
/// flush to disk), snapshots the books when the journal passes Gateway:Ledger:MaxJournalBytes, and at start and
/// shutdown. WHY a group every second rather than a flush to disk per request: a gateway answering hundreds of requests
/// a second would spend its disk on flushes; a crash (SIGKILL, power) loses at most the last interval's bookings,
/// a clean stop none.
/// </summary>
internal sealed class LedgerWriter(CostLedger ledger, IOptionsMonitor<GatewayOptions> options, ILogger<LedgerWriter> logger) : BackgroundService
{
    private bool _failing;
    private int _stopped;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // The books were loaded when the ledger was made; a snapshot now leaves a start's replay (and any damaged line) behind.
        if (ledger.Journal is { } journal) Write(journal, compact: true);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (ledger.Journal is not { } journal) return;
        var interval = TimeSpan.FromSeconds(options.CurrentValue.Ledger.FlushIntervalSeconds);
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                Write(journal, compact: journal.JournalBytes > options.CurrentValue.Ledger.MaxJournalBytes);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // A test host may be stopped twice, at once: the books are written and closed once.
        if (Interlocked.Exchange(ref _stopped, 1) == 1 || ledger.Journal is not { } journal) return;
        Write(journal, compact: true);
        journal.Dispose();
    }

    private void Write(LedgerJournal journal, bool compact)
    {
        try
        {
            journal.Flush();
            if (compact) journal.Compact(ledger.Capture());
            _failing = false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (!_failing) LedgerLog.WriteFailed(logger, options.CurrentValue.Ledger.Directory ?? "", e);
            _failing = true;
        }
    }
}
