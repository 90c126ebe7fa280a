using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace DiSRouter.Models.Checkpoints;

/// <summary>Writes a .safetensors file atomically, tensors in the given order, as F32 or BF16.</summary>
public static class SafeTensorsWriter
{
    private const int ChunkElements = 1 << 18;

    /// <summary>
    /// Fills <c>buffer[0 .. count)</c> with elements [<c>start</c>, start + count) of tensor <c>index</c> (flattened,
    /// row-major): how a writer that never holds a whole tensor on the host (one streamed off a GPU) is fed.
    /// </summary>
    public delegate void ChunkSource(int index, long start, float[] buffer, int count);

    public static void Write(string path, IReadOnlyList<NamedTensor> tensors, CheckpointDType dtype = CheckpointDType.F32,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        foreach (var t in tensors)
            if (Parameter.Numel(t.Shape) != t.Data.Length) throw new ArgumentException($"Tensor '{t.Name}' has {t.Data.Length} values for shape ({string.Join(", ", t.Shape)}).");
        Write(path, tensors.Select(t => (t.Name, t.Shape)).ToList(), (i, start, buffer, count) => Array.Copy(tensors[i].Data, start, buffer, 0, count),
            dtype, metadata);
    }

    /// <summary>
    /// The same file, the tensors' values read chunk by chunk from <paramref name="source"/> in file order, so host memory
    /// holds one chunk (a megabyte), not the model.
    /// </summary>
    public static void Write(string path, IReadOnlyList<(string Name, int[] Shape)> layout, ChunkSource source, CheckpointDType dtype = CheckpointDType.F32,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        int size = dtype == CheckpointDType.F32 ? 4 : 2;
        string dtypeName = dtype == CheckpointDType.F32 ? "F32" : "BF16";
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, _) in layout)
            if (name == "__metadata__" || !names.Add(name)) throw new ArgumentException($"Tensor name '{name}' is reserved or repeated.");

        var header = new MemoryStream();
        using (var w = new Utf8JsonWriter(header))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata) w.WriteString(k, v);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, shape) in layout)
            {
                w.WriteStartObject(name);
                w.WriteString("dtype", dtypeName);
                w.WriteStartArray("shape");
                foreach (var d in shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset += (long)Parameter.Numel(shape) * size);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        // Pad the header with spaces so the data section starts 8-byte aligned (what the format recommends).
        while ((header.Length & 7) != 0) header.WriteByte((byte)' ');

        AtomicFile.Write(path, fs =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
            fs.Write(len);
            fs.Write(header.GetBuffer(), 0, (int)header.Length);
            var chunk = new float[ChunkElements];
            var halves = dtype == CheckpointDType.BF16 ? new ushort[ChunkElements] : null;
            for (int i = 0; i < layout.Count; i++)
            {
                long numel = Parameter.Numel(layout[i].Shape);
                for (long done = 0; done < numel; done += ChunkElements)
                {
                    int n = (int)Math.Min(ChunkElements, numel - done);
                    source(i, done, chunk, n);
                    if (halves is null) { fs.Write(MemoryMarshal.AsBytes(chunk.AsSpan(0, n))); continue; }
                    for (int j = 0; j < n; j++) halves[j] = BFloat16Bits.FromSingle(chunk[j]);
                    fs.Write(MemoryMarshal.AsBytes(halves.AsSpan(0, n)));
                }
            }
        });
    }
}
