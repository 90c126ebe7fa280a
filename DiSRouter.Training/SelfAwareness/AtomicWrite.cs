using System.Text;

namespace DiSRouter.Training.SelfAwareness;

/// <summary>
/// Outputs that readers either see whole or not at all: files go through a temp file and a rename in the same
/// folder; directories (checkpoints, resume states) are filled under a temp name and renamed into place.
/// </summary>
internal static class AtomicWrite
{
    public static void Text(string path, string text)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                fs.Write(new UTF8Encoding(false).GetBytes(text));
                fs.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>
    /// Fills a fresh sibling folder with <paramref name="fill"/>, then swaps it in for <paramref name="directory"/>.
    /// The old folder is renamed aside first and deleted after, so a crash in between leaves the new one complete
    /// under its final name or the old one under "&lt;name&gt;.old-*" (which <see cref="RecoverDirectory"/> restores).
    /// </summary>
    public static void ReplaceDirectory(string directory, Action<string> fill)
    {
        var full = Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar);
        var parent = Path.GetDirectoryName(full)!;
        System.IO.Directory.CreateDirectory(parent);
        var name = Path.GetFileName(full);
        var temp = Path.Combine(parent, $".{name}.{Guid.NewGuid():N}.tmp");
        System.IO.Directory.CreateDirectory(temp);
        try
        {
            fill(temp);
        }
        catch
        {
            TryDeleteDirectory(temp);
            throw;
        }
        string? aside = null;
        if (System.IO.Directory.Exists(full))
        {
            aside = Path.Combine(parent, $"{name}.old-{Guid.NewGuid():N}");
            System.IO.Directory.Move(full, aside);
        }
        System.IO.Directory.Move(temp, full);
        if (aside is not null) TryDeleteDirectory(aside);
    }

    /// <summary>After a crash between the two renames of <see cref="ReplaceDirectory"/>: puts the old folder back if the new one never arrived, and sweeps leftovers.</summary>
    public static void RecoverDirectory(string directory)
    {
        var full = Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar);
        var parent = Path.GetDirectoryName(full)!;
        if (!System.IO.Directory.Exists(parent)) return;
        var name = Path.GetFileName(full);
        foreach (var old in System.IO.Directory.EnumerateDirectories(parent, name + ".old-*"))
        {
            if (!System.IO.Directory.Exists(full)) System.IO.Directory.Move(old, full);
            else TryDeleteDirectory(old);
        }
        foreach (var tmp in System.IO.Directory.EnumerateDirectories(parent, $".{name}.*.tmp")) TryDeleteDirectory(tmp);
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static void TryDeleteDirectory(string path)
    {
        try { System.IO.Directory.Delete(path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
