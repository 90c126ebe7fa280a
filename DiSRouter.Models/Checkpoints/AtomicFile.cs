namespace DiSRouter.Models.Checkpoints;

/// <summary>
/// Writes a file so that readers see either the old content or the complete new one: the bytes go to a temp file
/// in the same folder (same file system, so the rename is atomic), are flushed to disk, then replace the target.
/// A crash leaves at most a stray "*.tmp" file, which no reader opens.
/// </summary>
internal static class AtomicFile
{
    public static void Write(string path, Action<FileStream> write)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(fs);
                fs.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } // best effort: the target is untouched either way
            throw;
        }
    }

    public static void WriteAllText(string path, string text) =>
        Write(path, fs => { using var w = new StreamWriter(fs, new System.Text.UTF8Encoding(false), leaveOpen: true); w.Write(text); });
}
