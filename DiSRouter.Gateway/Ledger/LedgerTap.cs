using System.Text.Json;
using DiSRouter.Core.Requests;
using DiSRouter.Core.Routing;

namespace DiSRouter.Gateway.Ledger;

/// <summary>
/// Sits between YARP and the client's response body and passes every byte on at once (a stream stays unbuffered),
/// keeping only what the ledger needs: a whole answer's body (JSON, up to <see cref="MaxWholeBody"/>), or a stream's
/// last "data:" event that carries routing metadata. After the forward, <see cref="Metadata"/> reads it.
/// </summary>
internal sealed class LedgerTap(Stream inner, bool streamed) : Stream
{
    /// <summary>Whole answers past this are not booked (they would be the agents' MaxNewTokens many times over).</summary>
    public const int MaxWholeBody = 4 << 20;

    private const int MaxEventLine = 1 << 20;
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] MetadataMarker = "\"disrouter\""u8.ToArray();
    private static readonly byte[] ErrorMarker = "\"error\":{"u8.ToArray();

    private readonly MemoryStream _whole = new();
    private readonly MemoryStream _line = new();
    private byte[]? _lastMetadataEvent;
    private bool _overflow;

    public Stream Inner => inner;

    /// <summary>Whether the stream's last event so far is the error event (an agent failed after the answer began).</summary>
    public bool EndedWithErrorEvent { get; private set; }

    /// <summary>
    /// The routing metadata of the answer that went through, its id, and whether the stream ended in the error event
    /// (whose metadata holds the hops so far: compute, no answer); nulls when none was seen.
    /// </summary>
    public (RoutingMetadata? Metadata, string? Id, bool Failed) Metadata()
    {
        try
        {
            if (streamed)
            {
                if (_lastMetadataEvent is null) return (null, null, false);
                var chunk = JsonSerializer.Deserialize<ChatCompletionChunk>(_lastMetadataEvent, WireJson.Options);
                return (chunk?.DiSRouter, chunk?.Id, chunk?.Error is not null);
            }
            if (_overflow || _whole.Length == 0) return (null, null, false);
            var response = JsonSerializer.Deserialize<ChatCompletionResponse>(_whole.GetBuffer().AsSpan(0, (int)_whole.Length), WireJson.Options);
            return (response?.DiSRouter, response?.Id, false);
        }
        catch (JsonException)
        {
            return (null, null, false); // not an answer (a problem, or a body cut short): nothing to book
        }
    }

    /// <summary>Reads a whole response body through a tap that passes nothing on: the metadata of an answer the client will not get.</summary>
    public static async Task<LedgerTap> DrainAsync(Stream body, bool streamed, CancellationToken ct)
    {
        var tap = new LedgerTap(Null, streamed);
        await body.CopyToAsync(tap, ct);
        return tap;
    }

    private void Observe(ReadOnlySpan<byte> data)
    {
        if (!streamed)
        {
            if (_overflow) return;
            if (_whole.Length + data.Length > MaxWholeBody) _overflow = true;
            else _whole.Write(data);
            return;
        }
        // server-sent events: keep the current line; a finished "data: {...\"disrouter\"...}" line is the last chunk so far
        while (!data.IsEmpty)
        {
            var end = data.IndexOf((byte)'\n');
            var part = end < 0 ? data : data[..end];
            if (_line.Length + part.Length <= MaxEventLine) _line.Write(part);
            if (end < 0) break;
            var line = _line.GetBuffer().AsSpan(0, (int)_line.Length);
            if (line.StartsWith(DataPrefix))
            {
                if (line.IndexOf(MetadataMarker) >= 0) _lastMetadataEvent = line[DataPrefix.Length..].ToArray();
                EndedWithErrorEvent = line.IndexOf(ErrorMarker) >= 0;
            }
            _line.SetLength(0);
            data = data[(end + 1)..];
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Observe(buffer.Span);
        await inner.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count)
    {
        Observe(buffer.AsSpan(offset, count));
        inner.Write(buffer, offset, count);
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override void Flush() => inner.Flush();
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

}
