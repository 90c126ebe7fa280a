using System.Runtime.InteropServices;

namespace DiSRouter.Training.Jobs;

/// <summary>
/// The two file-system calls an atomic publish needs and .NET does not offer: swapping two directories in one step
/// (renameat2 with RENAME_EXCHANGE) and flushing a directory's entries to disk (fsync on the directory itself).
/// </summary>
internal static partial class LinuxFiles
{
    private const int AtFdCwd = -100;
    private const uint RenameExchange = 2;
    private const int EInval = 22, ENoSys = 38, ENotSup = 95;

    /// <summary>
    /// Swaps the directories <paramref name="a"/> and <paramref name="b"/> (both must exist) in one step: no moment in
    /// which either name is missing. False where the file system or OS cannot (not Linux, an SMB share, an old kernel).
    /// </summary>
    public static bool TryExchange(string a, string b)
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            if (RenameAt2(AtFdCwd, a, AtFdCwd, b, RenameExchange) == 0) return true;
        }
        catch (EntryPointNotFoundException)
        {
            return false; // a C library older than glibc 2.28
        }
        var errno = Marshal.GetLastPInvokeError();
        if (errno is EInval or ENoSys or ENotSup) return false;
        throw new IOException($"Swapping {a} and {b} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).");
    }

    /// <summary>
    /// Writes the directory's entries (files created, renamed, removed in it) to disk. WHY: fsync on a file flushes its
    /// bytes, not its name; without this a power cut after a rename may bring back the old name. Linux only; elsewhere,
    /// and on file systems that refuse fsync on a directory, a no-op.
    /// </summary>
    public static void FlushDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux()) return;
        var fd = Open(directory, 0 /* O_RDONLY */);
        if (fd < 0) throw new IOException($"Opening {directory} to flush it failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");
        try
        {
            if (Fsync(fd) != 0 && Marshal.GetLastPInvokeError() is var errno && errno != EInval)
                throw new IOException($"Flushing {directory} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameAt2(int oldDirFd, string oldPath, int newDirFd, string newPath, uint flags);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
