using System.Text;
using System.Text.Json;

namespace DiSRouter.Training.SelfAwareness;

/// <summary>
/// An append-only JSON-lines file that survives crashes: each record is one line written and flushed to disk
/// at once, so a crash loses at most the line being written. Opening for append cuts a torn last line (no
/// trailing newline) off before writing, so the file never holds half a record followed by a whole one.
/// </summary>
internal static class JsonlFile
{
    public static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Every complete record; a torn last line (no newline) is ignored. A missing file reads as empty.</summary>
    public static List<T> Read<T>(string path)
    {
        var records = new List<T>();
        if (!File.Exists(path)) return records;
        var text = File.ReadAllText(path, Encoding.UTF8);
        int lineNo = 0, start = 0;
        while (start < text.Length)
        {
            int end = text.IndexOf('\n', start);
            if (end < 0) break; // torn tail
            lineNo++;
            var line = text.AsSpan(start, end - start).Trim();
            start = end + 1;
            if (line.IsEmpty) continue;
            try
            {
                records.Add(JsonSerializer.Deserialize<T>(line, Json) ?? throw new InvalidDataException($"{path}:{lineNo}: null record."));
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}:{lineNo}: not a valid record ({e.Message}).", e);
            }
        }
        return records;
    }

    /// <summary>Opens for appending after cutting a torn last line off; the caller appends with <see cref="Append{T}"/>.</summary>
    public static FileStream OpenAppend(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var fs = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        long keep = fs.Length;
        if (keep > 0)
        {
            // Walk back to the last newline: everything after it is a record that was never finished.
            var one = new byte[1];
            while (keep > 0)
            {
                fs.Position = keep - 1;
                fs.ReadExactly(one);
                if (one[0] == (byte)'\n') break;
                keep--;
            }
            if (keep != fs.Length) fs.SetLength(keep);
        }
        fs.Position = keep;
        return fs;
    }

    public static void Append<T>(FileStream stream, T record)
    {
        var bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(record, Json) + "\n");
        stream.Write(bytes);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Writes all records at once, atomically (temp + rename).</summary>
    public static void WriteAll<T>(string path, IEnumerable<T> records)
    {
        var sb = new StringBuilder();
        foreach (var r in records) sb.Append(JsonSerializer.Serialize(r, Json)).Append('\n');
        AtomicWrite.Text(path, sb.ToString());
    }
}
