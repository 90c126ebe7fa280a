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

    public static void Save(string path, AdamW adam) =>
        Save(path, adam.Step, adam.Parameters.Select((p, i) => (p.Name, adam.FirstMoments[i], adam.SecondMoments[i])).ToList());

    /// <summary>
    /// The same file from any optimizer that keeps AdamW's moments per named parameter (the TorchSharp trainer), so a
    /// resume point written by one engine resumes on the other.
    /// </summary>
    public static void Save(string path, int step, IReadOnlyList<(string Name, float[] M, float[] V)> moments)
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
                w.Write(moments.Count);
                foreach (var (name, m, v) in moments)
                {
                    w.Write(name);
                    w.Write(m.Length);
                    w.Write(MemoryMarshal.AsBytes(m.AsSpan()));
                    w.Write(MemoryMarshal.AsBytes(v.AsSpan()));
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
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            using var r = new BinaryReader(stream, Encoding.UTF8);
            if (!r.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic)) throw Bad(path, "it is not an optimizer state file (wrong magic)");
            int version = r.ReadInt32();
            if (version != Version) throw Bad(path, $"format version {version} is not supported (expected {Version})");
            int step = r.ReadInt32();
            int count = r.ReadInt32();
            if (step < 0) throw Bad(path, $"step {step} is negative");
            if (count != expected.Count) throw Bad(path, $"it holds {count} parameters, the model has {expected.Count}");
            var m = new float[count][];
            var v = new float[count][];
            for (int i = 0; i < count; i++)
            {
                var p = expected[i];
                string name = r.ReadString();
                int length = r.ReadInt32();
                if (name != p.Name || length != p.Length) throw Bad(path, $"entry {i} is '{name}' ({length} floats), the model expects '{p.Name}' ({p.Length} floats)");
                m[i] = ReadFloats(r, length);
                v[i] = ReadFloats(r, length);
            }
            if (stream.Position != stream.Length) throw Bad(path, "it has trailing bytes");
            return (step, m, v);
        }
        catch (EndOfStreamException)
        {
            throw Bad(path, "it is truncated");
        }
    }

    private static float[] ReadFloats(BinaryReader r, int length)
    {
        var result = new float[length];
        var bytes = MemoryMarshal.AsBytes(result.AsSpan());
        r.BaseStream.ReadExactly(bytes);   // EndOfStreamException on a short file
        return result;
    }

    private static InvalidDataException Bad(string path, string why) => new($"Optimizer state '{path}' cannot be loaded: {why}.");
}
