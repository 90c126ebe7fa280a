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

    public static void Save(string path, AdamW adam)
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
                w.Write(adam.Step);
                w.Write(adam.Parameters.Count);
                for (int i = 0; i < adam.Parameters.Count; i++)
                {
                    w.Write(adam.Parameters[i].Name);
                    w.Write(adam.Parameters[i].Length);
                    w.Write(MemoryMarshal.AsBytes(adam.FirstMoments[i].AsSpan()));
                    w.Write(MemoryMarshal.AsBytes(adam.SecondMoments[i].AsSpan()));
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
            if (count != adam.Parameters.Count) throw Bad(path, $"it holds {count} parameters, the model has {adam.Parameters.Count}");
            // Read everything before touching the optimizer, so a bad file leaves the current state intact.
            var m = new float[count][];
            var v = new float[count][];
            for (int i = 0; i < count; i++)
            {
                var p = adam.Parameters[i];
                string name = r.ReadString();
                int length = r.ReadInt32();
                if (name != p.Name || length != p.Length) throw Bad(path, $"entry {i} is '{name}' ({length} floats), the model expects '{p.Name}' ({p.Length} floats)");
                m[i] = ReadFloats(r, length);
                v[i] = ReadFloats(r, length);
            }
            if (stream.Position != stream.Length) throw Bad(path, "it has trailing bytes");
            for (int i = 0; i < count; i++)
            {
                m[i].CopyTo(adam.FirstMoments[i], 0);
                v[i].CopyTo(adam.SecondMoments[i], 0);
            }
            adam.Step = step;
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
