using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace DiSRouter.Models.Checkpoints;

/// <summary>Writes a .safetensors file atomically, tensors in the given order, as F32 or BF16.</summary>
public static class SafeTensorsWriter
{
    private const int ChunkElements = 1 << 18;

    public static void Write(string path, IReadOnlyList<NamedTensor> tensors, CheckpointDType dtype = CheckpointDType.F32,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        int size = dtype == CheckpointDType.F32 ? 4 : 2;
        string dtypeName = dtype == CheckpointDType.F32 ? "F32" : "BF16";
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in tensors)
        {
            if (t.Name == "__metadata__" || !names.Add(t.Name)) throw new ArgumentException($"Tensor name '{t.Name}' is reserved or repeated.");
            if (Parameter.Numel(t.Shape) != t.Data.Length) throw new ArgumentException($"Tensor '{t.Name}' has {t.Data.Length} values for shape ({string.Join(", ", t.Shape)}).");
        }

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
            foreach (var t in tensors)
            {
                w.WriteStartObject(t.Name);
                w.WriteString("dtype", dtypeName);
                w.WriteStartArray("shape");
                foreach (var d in t.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset += (long)t.Data.Length * size);
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
            var buffer = dtype == CheckpointDType.BF16 ? new ushort[ChunkElements] : null;
            foreach (var t in tensors)
            {
                if (buffer is null) { fs.Write(MemoryMarshal.AsBytes(t.Data.AsSpan())); continue; }
                for (int done = 0; done < t.Data.Length; done += ChunkElements)
                {
                    int n = Math.Min(ChunkElements, t.Data.Length - done);
                    for (int i = 0; i < n; i++) buffer[i] = BFloat16Bits.FromSingle(t.Data[done + i]);
                    fs.Write(MemoryMarshal.AsBytes(buffer.AsSpan(0, n)));
                }
            }
        });
    }
}
