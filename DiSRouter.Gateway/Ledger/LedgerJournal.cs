using System.Collections.Concurrent;
using System.Text.Json;

namespace DiSRouter.Gateway.Ledger;

/// <summary>
/// The ledger on disk, in one folder (Gateway:Ledger:Directory): an append-only journal of bookings, one JSON line
/// each, and a snapshot of the books (every key's totals, the recent requests, the last booking's seq) written whole
/// to a temporary file, flushed to disk and renamed over the old one. A booking costs one appended line; the journal
/// is written and flushed to disk as a group every Gateway:Ledger:FlushIntervalSeconds and at shutdown; once it passes
/// Gateway:Ledger:MaxJournalBytes (and at every start and shutdown) the books are snapshotted and the journal starts
/// over, so the folder stays bounded (the snapshot grows with the number of keys, not of requests) and a start replays
/// at most one journal. Reload: the snapshot, then the journal's lines with a seq past the snapshot's (a crash between
/// the snapshot's rename and the journal's truncation leaves lines the snapshot already holds; their seq skips them).
/// A line that cannot be read (cut short by a crash mid-write, or damaged) is skipped with a warning.
/// </summary>
internal sealed class LedgerJournal(string directory, ILogger logger) : IDisposable
{
    public const string SnapshotFileName = "ledger.snapshot.json";
    public const string JournalFileName = "ledger.journal.jsonl";

    private static readonly JsonSerializerOptions Json = new();
    private readonly ConcurrentQueue<LedgerEntry> _pending = new();
    private readonly Lock _fileGate = new();
    private FileStream? _writer;
    private FileStream? _lock;
    private bool _closed;

    public string SnapshotPath => Path.Combine(directory, SnapshotFileName);
    public string JournalPath => Path.Combine(directory, JournalFileName);

    /// <summary>Bytes in the journal file now.</summary>
    public long JournalBytes
    {
        get
        {
            lock (_fileGate) return _writer?.Length ?? 0;
        }
    }

    /// <summary>Queues a booking for the next flush (called under the ledger's lock: no I/O here).</summary>
    public void Append(LedgerEntry entry) => _pending.Enqueue(entry);

    /// <summary>Reads the snapshot and the journal's bookings past it.</summary>
    public LoadedLedger Load()
    {
        Directory.CreateDirectory(directory);
        try
        {
            // Two writers would interleave lines and overwrite each other's snapshots: the folder is held for the process's life.
            _lock = new FileStream(Path.Combine(directory, "ledger.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new InvalidOperationException(
                $"The ledger folder {directory} (Gateway:Ledger:Directory) is in use by another gateway process; give each gateway its own folder.", e);
        }
        var snapshot = ReadSnapshot() ?? new LedgerState();
        var replayed = new List<LedgerEntry>();
        var seq = snapshot.Seq;
        if (File.Exists(JournalPath))
        {
            var number = 0;
            foreach (var line in File.ReadLines(JournalPath))
            {
                number++;
                if (string.IsNullOrWhiteSpace(line)) continue;
                LedgerEntry? entry = null;
                string? reason = null;
                try
                {
                    entry = JsonSerializer.Deserialize<LedgerEntry>(line, Json);
                    if (entry is null || entry.Seq <= 0 || string.IsNullOrEmpty(entry.KeyId)) reason = "no seq or key id";
                }
                catch (JsonException e)
                {
                    reason = e.Message;
                }
                if (reason is not null)
                {
                    LedgerLog.JournalLineSkipped(logger, JournalPath, number, reason);
                    continue;
                }
                if (entry!.Seq <= snapshot.Seq) continue;
                replayed.Add(entry);
                seq = Math.Max(seq, entry.Seq);
            }
        }
        LedgerLog.Loaded(logger, directory, snapshot.Keys.Count, snapshot.Seq, replayed.Count);
        return new LoadedLedger(seq, snapshot.Keys, snapshot.Recent, replayed);
    }

    /// <summary>Writes the queued bookings to the journal and flushes them to disk. On failure (a full disk) they stay queued.</summary>
    public void Flush()
    {
        if (_pending.IsEmpty) return;
        lock (_fileGate)
        {
            var writer = Writer();
            var buffer = new MemoryStream();
            var taken = new List<LedgerEntry>();
            while (_pending.TryPeek(out var entry))
            {
                JsonSerializer.Serialize(buffer, entry, Json);
                buffer.WriteByte((byte)'\n');
                taken.Add(entry);
                _pending.TryDequeue(out _);
            }
            var at = writer.Length;
            try
            {
                writer.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
                writer.Flush(flushToDisk: true);
            }
            catch (IOException)
            {
                // Nothing half-written stays behind; the bookings go back in front of any newer ones, in order.
                writer.SetLength(at);
                var newer = new List<LedgerEntry>();
                while (_pending.TryDequeue(out var e)) newer.Add(e);
                foreach (var e in taken.Concat(newer)) _pending.Enqueue(e);
                throw;
            }
        }
    }

    /// <summary>Writes the books as the snapshot (temporary file, flushed, renamed over the old one), then empties the journal.</summary>
    public void Compact(LedgerState state)
    {
        lock (_fileGate)
        {
            var temporary = SnapshotPath + ".tmp";
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                JsonSerializer.Serialize(file, state, Json);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, SnapshotPath, overwrite: true);
            var writer = Writer();
            writer.SetLength(0);
            writer.Flush(flushToDisk: true);
        }
    }

    public void Dispose()
    {
        lock (_fileGate)
        {
            _writer?.Dispose();
            _writer = null;
            _lock?.Dispose();
            _lock = null;
            _closed = true;
        }
    }

    /// <summary>The journal, open for appending; one writer at a time (a second gateway on the same folder fails here).</summary>
    private FileStream Writer()
    {
        if (_writer is not null) return _writer;
        ObjectDisposedException.ThrowIf(_closed, this);
        Directory.CreateDirectory(directory);
        var writer = new FileStream(JournalPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        writer.Seek(0, SeekOrigin.End);
        if (writer.Length > 0)
        {
            // A line cut short by a crash must not swallow the next one: end it first (the reload skipped it already).
            writer.Seek(-1, SeekOrigin.End);
            var last = writer.ReadByte();
            if (last != '\n') writer.WriteByte((byte)'\n');
        }
        return _writer = writer;
    }

    private LedgerState? ReadSnapshot()
    {
        if (!File.Exists(SnapshotPath)) return null;
        try
        {
            return JsonSerializer.Deserialize<LedgerState>(File.ReadAllBytes(SnapshotPath), Json)
                ?? throw new JsonException("the file holds null");
        }
        catch (JsonException e)
        {
            // Written whole and renamed, a snapshot is only unreadable if damaged: kept aside for the operator, not deleted.
            var aside = $"{SnapshotPath}.unreadable-{DateTimeOffset.UtcNow:yyyyMMddTHHmmssZ}";
            File.Move(SnapshotPath, aside, overwrite: true);
            LedgerLog.SnapshotUnreadable(logger, SnapshotPath, aside, e.Message);
            return null;
        }
    }
}

/// <summary>What a start found on disk: the snapshot's books and the journal's later bookings, in order.</summary>
internal sealed record LoadedLedger(long Seq, List<KeyTotals> Keys, List<LedgerEntry> Recent, List<LedgerEntry> Replayed);
