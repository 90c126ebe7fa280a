using System.Runtime.InteropServices;
using System.Text;

namespace DiSRouter.Models.Training;

/// <summary>
/// The AdamW state on disk, for resuming a run: magic "DSRADAMW", format version, step, parameter count, then per
/// parameter its name, length and both moment vectors (little-endian float32). Written to a temp file beside the
/// target and renamed over it, so a crash leaves either the old state or the new one, never half of one.
/// </summary>
internal static class OptimizerState
{
    private static readonly byte[] Magic = "DSRADAMW"u8.ToArray();
    private const int Version = 1;
    private const int ChunkElements = 1 << 18;

    /// <summary>
    /// Elements [start, start + count) of parameter <c>index</c>'s first (<c>second</c> false) or second moment, moved
    /// between <c>buffer[0 .. count)</c> and wherever the optimizer keeps them (a GPU): the file streams through one chunk.
    /// </summary>
    public delegate void MomentChunk(int index, bool second, long start, float[] buffer, int count);

    public static void Save(string path, AdamW adam) =>
        Save(path, adam.Step, adam.Parameters.Select((p, i) => (p.Name, adam.FirstMoments[i], adam.SecondMoments[i])).ToList());

    /// <summary>
    /// The same file from any optimizer that keeps AdamW's moments per named parameter (the TorchSharp trainer), so a
    /// resume point written by one engine resumes on the other.
    /// </summary>
    public static void Save(string path, int step, IReadOnlyList<(string Name, float[] M, float[] V)> moments) =>
        Save(path, step, moments.Select(m => (m.Name, m.M.Length)).ToList(),
            (i, second, start, buffer, count) => Array.Copy(second ? moments[i].V : moments[i].M, start, buffer, 0, count));

    /// <summary>The same file with the moments read from <paramref name="source"/> a chunk at a time.</summary>
    public static void Save(string path, int step, IReadOnlyList<(string Name, int Length)> layout, MomentChunk source)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = full + $".tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            using (var w = new BinaryWriter(stream, Encoding.UTF8))
            {
                w.Write(Magic);
                w.Write(Version);
                w.Write(step);
                w.Write(layout.Count);
                var buffer = new float[ChunkElements];
                for (int i = 0; i < layout.Count; i++)
                {
                    var (name, length) = layout[i];
                    w.Write(name);
                    w.Write(length);
                    foreach (bool second in (ReadOnlySpan<bool>)[false, true])
                        for (long done = 0; done < length; done += ChunkElements)
                        {
                            int n = (int)Math.Min(ChunkElements, length - done);
                            source(i, second, done, buffer, n);
                            w.Write(MemoryMarshal.AsBytes(buffer.AsSpan(0, n)));
                        }
                }
                w.Flush();
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { }
            throw;
        }
    }

    public static void Load(string path, AdamW adam)
    {
        var (step, m, v) = Load(path, adam.Parameters.Select(p => (p.Name, p.Length)).ToList());
        for (int i = 0; i < m.Length; i++)
        {
            m[i].CopyTo(adam.FirstMoments[i], 0);
            v[i].CopyTo(adam.SecondMoments[i], 0);
        }
        adam.Step = step;
    }

    /// <summary>
    /// The step and both moments of every parameter, checked against the <paramref name="expected"/> names and lengths;
    /// everything is read before anything is returned, so a bad file leaves the caller's optimizer as it was.
    /// </summary>
    public static (int Step, float[][] M, float[][] V) Load(string path, IReadOnlyList<(string Name, int Length)> expected)
    {
        var m = expected.Select(p => new float[p.Length]).ToArray();
        var v = expected.Select(p => new float[p.Length]).ToArray();
        int step = Load(path, expected, (i, second, start, buffer, count) => Array.Copy(buffer, 0, second ? v[i] : m[i], start, count));
        return (step, m, v);
    }

    /// <summary>
    /// Streams the moments into <paramref name="sink"/> a chunk at a time and returns the step. The whole file's layout
    /// (names, lengths, size) is checked before the first chunk is handed over, so a file of another model or a truncated
    /// one leaves the caller's optimizer as it was.
    /// </summary>
    public static int Load(string path, IReadOnlyList<(string Name, int Length)> expected, MomentChunk sink)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            using var r = new BinaryReader(stream, Encoding.UTF8);
            int step = ReadLayout(path, r, expected, out long dataStart);
            stream.Position = dataStart;
            var buffer = new float[ChunkElements];
            for (int i = 0; i < expected.Count; i++)
            {
                r.ReadString();
                r.ReadInt32();
                foreach (bool second in (ReadOnlySpan<bool>)[false, true])
                    for (long done = 0; done < expected[i].Length; done += ChunkElements)
                    {
                        int n = (int)Math.Min(ChunkElements, expected[i].Length - done);
                        stream.ReadExactly(MemoryMarshal.AsBytes(buffer.AsSpan(0, n)));
                        sink(i, second, done, buffer, n);
                    }
            }
            return step;
        }
        catch (EndOfStreamException)
        {
            throw Bad(path, "it is truncated");
        }
    }

    // Reads the header and walks the entries without their values, checking every name and length and the file's size;
    // returns the step and leaves dataStart at the first entry.
    private static int ReadLayout(string path, BinaryReader r, IReadOnlyList<(string Name, int Length)> expected, out long dataStart)
    {
        var stream = r.BaseStream;
        if (!r.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic)) throw Bad(path, "it is not an optimizer state file (wrong magic)");
        int version = r.ReadInt32();
        if (version != Version) throw Bad(path, $"format version {version} is not supported (expected {Version})");
        int step = r.ReadInt32();
        int count = r.ReadInt32();
        if (step < 0) throw Bad(path, $"step {step} is negative");
        if (count != expected.Count) throw Bad(path, $"it holds {count} parameters, the model has {expected.Count}");
        dataStart = stream.Position;
        for (int i = 0; i < count; i++)
        {
            var p = expected[i];
            string name = r.ReadString();
            int length = r.ReadInt32();
            if (name != p.Name || length != p.Length) throw Bad(path, $"entry {i} is '{name}' ({length} floats), the model expects '{p.Name}' ({p.Length} floats)");
            long next = stream.Position + 8L * length;
            if (next > stream.Length) throw Bad(path, "it is truncated");
            stream.Position = next;
        }
        if (stream.Position != stream.Length) throw Bad(path, "it has trailing bytes");
        return step;
    }

    private static InvalidDataException Bad(string path, string why) => new($"Optimizer state '{path}' cannot be loaded: {why}.");
}
