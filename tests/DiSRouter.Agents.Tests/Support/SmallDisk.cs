using System.Diagnostics;

namespace DiSRouter.Tests.Disks;

/// <summary>
/// A small tmpfs mounted for one test and filled up on demand: a real ENOSPC from the kernel, not a simulated one
/// (this file is linked into the agents' and the training tests). Mounting needs root with CAP_SYS_ADMIN, as CI runs;
/// elsewhere the tests that need it are skipped with the reason (<see cref="SmallDiskFactAttribute"/>).
/// </summary>
internal sealed class SmallDisk : IDisposable
{
    private static readonly Lazy<string?> Probe = new(() =>
    {
        if (!OperatingSystem.IsLinux()) return "a full disk is made with a Linux tmpfs";
        if (Environment.UserName != "root") return $"mounting a tmpfs needs root (running as {Environment.UserName})";
        try
        {
            using var probe = Mount(1);
            return null;
        }
        catch (InvalidOperationException e)
        {
            return e.Message;
        }
    });

    private SmallDisk(string root) => Root = root;

    /// <summary>Why a full-disk test cannot run here; null when it can (probed once: a 1 MB tmpfs mounted and unmounted).</summary>
    public static string? WhyNot => Probe.Value;

    /// <summary>The mount point.</summary>
    public string Root { get; }

    private string Filler => Path.Combine(Root, ".filler");

    public static SmallDisk Mount(int megabytes)
    {
        var root = Directory.CreateTempSubdirectory("disrouter-disk-").FullName;
        var (code, output) = Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m", "tmpfs", root);
        if (code != 0)
        {
            Directory.Delete(root);
            throw new InvalidOperationException($"mount -t tmpfs failed with exit code {code}: {output.Trim()}");
        }
        return new SmallDisk(root);
    }

    public long FreeBytes => new DriveInfo(Root).AvailableFreeSpace;

    /// <summary>Writes a file that leaves <paramref name="leaveBytes"/> (to a page) free.</summary>
    public void Fill(long leaveBytes)
    {
        var block = new byte[4096];
        Random.Shared.NextBytes(block);
        using var filler = new FileStream(Filler, FileMode.Append, FileAccess.Write);
        for (var left = FreeBytes - leaveBytes; left > 0; left -= block.Length) filler.Write(block, 0, (int)Math.Min(block.Length, left));
    }

    /// <summary>Deletes the filler: the space is back.</summary>
    public void Free() => File.Delete(Filler);

    public void Dispose()
    {
        Run("umount", "-l", Root); // lazy: a watcher or handle still open in the test host does not keep it mounted
        try { Directory.Delete(Root); } catch (IOException) { }
    }

    private static (int Code, string Output) Run(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        try
        {
            using var process = Process.Start(info)!;
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, $"{file}: {e.Message}");
        }
    }
}

/// <summary>A fact that needs a <see cref="SmallDisk"/>: skipped, with the reason, where a tmpfs cannot be mounted.</summary>
internal sealed class SmallDiskFactAttribute : FactAttribute
{
    public SmallDiskFactAttribute()
    {
        if (SmallDisk.WhyNot is { } why) Skip = why;
    }
}
