using System.Globalization;

namespace DiSRouter.AppHost.Tests.Infrastructure;

/// <summary>Processes as Linux's /proc shows them: who descends from whom, which still run, and SIGKILL.</summary>
internal static partial class ProcessTree
{
    /// <summary>Every process below <paramref name="pid"/> (children, their children, …), read now.</summary>
    public static IReadOnlyList<int> Descendants(int pid)
    {
        var parents = Directory.EnumerateDirectories("/proc").Select(Path.GetFileName)
            .Select(n => int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 0).Where(p => p > 0)
            .Select(p => (Pid: p, Parent: ParentOf(p))).ToList();
        var found = new List<int>();
        var frontier = new Queue<int>([pid]);
        while (frontier.Count > 0)
        {
            var next = frontier.Dequeue();
            foreach (var child in parents.Where(p => p.Parent == next).Select(p => p.Pid))
            {
                found.Add(child);
                frontier.Enqueue(child);
            }
        }
        return found;
    }

    /// <summary>
    /// Processes whose environment holds <paramref name="entry"/> ("NAME=value"): what a process started with it, and
    /// everything started below that, even past a process that detached itself (the orchestrator does).
    /// </summary>
    public static IReadOnlyList<int> WithEnvironment(string entry) =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName)
            .Select(n => int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 0).Where(p => p > 0)
            .Where(p =>
            {
                try { return File.ReadAllText($"/proc/{p}/environ").Split('\0').Contains(entry); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
            })
            .ToList();

    /// <summary>Runs (a zombie, dead but not yet reaped by its parent, does not count).</summary>
    public static bool IsAlive(int pid) => Stat(pid) is { } stat && stat.State != 'Z';

    /// <summary>The executable's name as the kernel keeps it (at most 15 characters: "DiSRouter.Agent").</summary>
    public static string Name(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/comm").Trim(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return ""; }
    }

    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    /// <summary>SIGKILL: the process ends at once, with no chance to clean up (as the kernel's OOM killer ends it).</summary>
    public static void Kill(int pid) => Signal(pid, SIGKILL);

    /// <summary>Sends <paramref name="signal"/>; false when there is no such process.</summary>
    public static bool Signal(int pid, int signal) => SendSignal(pid, signal) == 0;

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);

    private static int ParentOf(int pid) => Stat(pid)?.Parent ?? 0;

    private static (char State, int Parent)? Stat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (fields[0][0], int.Parse(fields[1], CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException or IndexOutOfRangeException) { return null; }
    }
}
