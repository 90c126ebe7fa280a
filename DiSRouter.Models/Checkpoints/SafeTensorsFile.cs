using System.Buffers;
using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace DiSRouter.Models.Checkpoints;

/// <summary>
/// Reads a .safetensors file: 8-byte little-endian header length N, N bytes of JSON header
/// (<c>name → {dtype, shape, data_offsets}</c> plus an optional <c>__metadata__</c> string map), then the raw
/// little-endian data. The header is validated whole on open; tensors are then read on demand in chunks
/// (F32, BF16 and F16 widen to float32), so a multi-gigabyte file never sits in one byte[].
/// Every defect throws <see cref="CheckpointException"/> naming the file.
/// </summary>
public sealed class SafeTensorsFile : IDisposable
{
    private const long MaxHeaderBytes = 100 << 20; // the format's own limit, and a guard against a garbage length
    private const int ChunkBytes = 1 << 20;

    private readonly SafeFileHandle _handle;
    private readonly long _dataStart;

    private SafeTensorsFile(string path, SafeFileHandle handle, long dataStart, Dictionary<string, SafeTensorInfo> tensors, Dictionary<string, string> metadata)
    {
        Path = path;
        _handle = handle;
        _dataStart = dataStart;
        Tensors = tensors;
        Metadata = metadata;
    }

    public string Path { get; }
    public IReadOnlyDictionary<string, SafeTensorInfo> Tensors { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public static SafeTensorsFile Open(string path)
    {
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CheckpointException(path, "the file does not exist", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException(path, "the file cannot be opened: " + e.Message, e);
        }
        try
        {
            long length = RandomAccess.GetLength(handle);
            if (length < 8) throw new CheckpointException(path, $"the file is {length} bytes, too short for the 8-byte header length");
            Span<byte> lenBytes = stackalloc byte[8];
            ReadExactly(path, handle, lenBytes, 0);
            ulong headerLen = BinaryPrimitives.ReadUInt64LittleEndian(lenBytes);
            if (headerLen == 0 || headerLen > MaxHeaderBytes || (long)headerLen > length - 8)
                throw new CheckpointException(path, $"the header length {headerLen} is impossible for a file of {length} bytes (truncated or not a safetensors file)");
            var header = new byte[headerLen];
            ReadExactly(path, handle, header, 8);
            long dataStart = 8 + (long)headerLen;
            var (tensors, metadata) = ParseHeader(path, header, length - dataStart);
            return new SafeTensorsFile(path, handle, dataStart, tensors, metadata);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Reads a whole file into named float32 tensors (small files and tests; a checkpoint load streams into the model instead).</summary>
    public static Dictionary<string, NamedTensor> ReadAll(string path)
    {
        using var file = Open(path);
        return file.Tensors.Values.ToDictionary(t => t.Name, t => new NamedTensor(t.Name, t.Shape, file.Read(t.Name)));
    }

    public float[] Read(string name)
    {
        var info = Info(name);
        var data = new float[info.Numel];
        ReadInto(name, data);
        return data;
    }

    /// <summary>Reads a tensor, widened to float32, into <paramref name="destination"/> (which must have its exact length).</summary>
    public void ReadInto(string name, Span<float> destination)
    {
        var info = Info(name);
        if (destination.Length != info.Numel)
            throw new ArgumentException($"Tensor '{name}' has {info.Numel} elements, the destination {destination.Length}.");
        ReadRange(name, 0, destination);
    }

    /// <summary>
    /// Reads elements [<paramref name="start"/>, start + destination.Length) of a tensor (flattened, row-major), widened to
    /// float32: a loader that streams a tensor through a small buffer never holds the whole tensor in host memory.
    /// </summary>
    public void ReadRange(string name, long start, Span<float> destination)
    {
        var info = Info(name);
        if (start < 0 || start + destination.Length > info.Numel)
            throw new ArgumentOutOfRangeException(nameof(start), $"Elements [{start}, {start + destination.Length}) lie outside tensor '{name}' ({info.Numel} elements).");
        long offset = _dataStart + info.Begin + start * ElementSize(info.DType);
        switch (info.DType)
        {
            case "F32":
                // Little-endian on disk and in memory: the bytes go straight into the floats.
                ReadExactly(Path, _handle, MemoryMarshal.AsBytes(destination), offset);
                break;
            case "BF16":
            case "F16":
            {
                // A pooled chunk: loading a model tensor by tensor allocates no second copy of it, in halves or otherwise.
                var buffer = ArrayPool<ushort>.Shared.Rent(Math.Min(destination.Length, ChunkBytes / 2));
                try
                {
                    for (int done = 0; done < destination.Length;)
                    {
                        int n = Math.Min(Math.Min(buffer.Length, ChunkBytes / 2), destination.Length - done);
                        var chunk = buffer.AsSpan(0, n);
                        ReadExactly(Path, _handle, MemoryMarshal.AsBytes(chunk), offset + 2L * done);
                        var dst = destination.Slice(done, n);
                        if (info.DType == "F16") TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<ushort, Half>(chunk), dst);
                        else for (int i = 0; i < n; i++) dst[i] = BFloat16Bits.ToSingle(chunk[i]);
                        done += n;
                    }
                }
                finally
                {
                    ArrayPool<ushort>.Shared.Return(buffer);
                }
                break;
            }
            default:
                throw new CheckpointException(Path, $"tensor '{name}' has dtype {info.DType}; only F32, BF16 and F16 can be read");
        }
    }

    public void Dispose() => _handle.Dispose();

    private SafeTensorInfo Info(string name) =>
        Tensors.TryGetValue(name, out var info) ? info : throw new CheckpointException(Path, $"tensor '{name}' is missing");

    internal static int ElementSize(string dtype) => dtype switch
    {
        "F64" or "I64" or "U64" => 8,
        "F32" or "I32" or "U32" => 4,
        "F16" or "BF16" or "I16" or "U16" => 2,
        "I8" or "U8" or "BOOL" or "F8_E4M3" or "F8_E5M2" => 1,
        _ => 0,
    };

    private static (Dictionary<string, SafeTensorInfo>, Dictionary<string, string>) ParseHeader(string path, byte[] header, long dataLength)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw new CheckpointException(path, "the header is not valid JSON: " + e.Message, e);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new CheckpointException(path, "the header is not a JSON object");
            var tensors = new Dictionary<string, SafeTensorInfo>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    if (prop.Value.ValueKind != JsonValueKind.Object) throw new CheckpointException(path, "__metadata__ is not an object");
                    foreach (var m in prop.Value.EnumerateObject())
                        metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()!
                            : throw new CheckpointException(path, $"__metadata__ value '{m.Name}' is not a string");
                    continue;
                }
                tensors.Add(prop.Name, ParseEntry(path, prop.Name, prop.Value, dataLength));
            }
            // Offsets must not overlap: two tensors sharing bytes is a corrupt (or hostile) file.
            long previousEnd = 0;
            string? previous = null;
            foreach (var t in tensors.Values.OrderBy(t => t.Begin).ThenBy(t => t.End))
            {
                if (t.Begin < previousEnd)
                    throw new CheckpointException(path, $"tensors '{previous}' and '{t.Name}' overlap in the data section");
                previousEnd = t.End;
                previous = t.Name;
            }
            return (tensors, metadata);
        }
    }

    private static SafeTensorInfo ParseEntry(string path, string name, JsonElement e, long dataLength)
    {
        CheckpointException Bad(string why) => new(path, $"tensor '{name}': {why}");
        if (e.ValueKind != JsonValueKind.Object) throw Bad("its header entry is not an object");
        if (!e.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String) throw Bad("no dtype");
        string dtype = dt.GetString()!;
        int size = ElementSize(dtype);
        if (size == 0) throw Bad($"unknown dtype '{dtype}'");
        if (!e.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array) throw Bad("no shape");
        var shape = new int[sh.GetArrayLength()];
        long numel = 1;
        int i = 0;
        foreach (var d in sh.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int dim) || dim < 0) throw Bad("a shape entry is not a non-negative integer");
            shape[i++] = dim;
            numel *= dim;
            if (numel > int.MaxValue) throw Bad("more elements than one array can hold");
        }
        if (!e.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw Bad("data_offsets is not a pair");
        if (!off[0].TryGetInt64(out long begin) || !off[1].TryGetInt64(out long end) || begin < 0 || end < begin)
            throw Bad("data_offsets are not an ordered pair of non-negative integers");
        if (end > dataLength) throw Bad($"data_offsets [{begin}, {end}] run past the end of the data ({dataLength} bytes; the file is truncated)");
        if (end - begin != numel * size) throw Bad($"data_offsets span {end - begin} bytes but shape ({string.Join(", ", shape)}) of {dtype} needs {numel * size}");
        return new SafeTensorInfo(name, dtype, shape, begin, end);
    }

    private static void ReadExactly(string path, SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        while (!buffer.IsEmpty)
        {
            int n = RandomAccess.Read(handle, buffer, offset);
            if (n <= 0) throw new CheckpointException(path, $"unexpected end of file at byte {offset} (truncated)");
            buffer = buffer[n..];
            offset += n;
        }
    }
}
