using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using DiSRouter.AppHost.Hosting;

namespace DiSRouter.AppHost.Tests.Infrastructure;

/// <summary>
/// The real AppHost as a child process of the test (dotnet DiSRouter.AppHost.dll ...), with its output collected
/// line by line and the children it reports (name → pid) read from its "starting at ... (pid N)" lines.
/// </summary>
public sealed partial class AppHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly SemaphoreSlim _newLine = new(0);

    private AppHostProcess(Process process) => _process = process;

    public IReadOnlyCollection<string> Lines => _lines;
    public string Output => string.Join(Environment.NewLine, _lines);
    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    /// <summary>The services the AppHost started, by name, from its own report.</summary>
    public IReadOnlyDictionary<string, int> Children =>
        _lines.Select(l => StartingLine().Match(l)).Where(m => m.Success)
            .GroupBy(m => m.Groups["name"].Value).ToDictionary(g => g.Key, g => int.Parse(g.Last().Groups["pid"].Value));

    public static AppHostProcess Start(IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null)
    {
        // The AppHost's own build folder: the copy next to the tests lacks its dependencies.
        var appHost = ServiceBinaries.PathOf(ServiceBinaries.AppHost);
        var info = new ProcessStartInfo(TestDotnet.Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(appHost);
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["NO_COLOR"] = "1";
        info.Environment.Remove("DISROUTER_API_KEY");
        foreach (var (k, v) in environment ?? new Dictionary<string, string?>())
        {
            if (v is null) info.Environment.Remove(k);
            else info.Environment[k] = v;
        }
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var host = new AppHostProcess(process);
        process.OutputDataReceived += (_, e) => host.Add(e.Data);
        process.ErrorDataReceived += (_, e) => host.Add(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>Waits for a line matching <paramref name="pattern"/>; fails with the whole output if the AppHost exits first.</summary>
    public async Task<Match> WaitForLineAsync(string pattern, TimeSpan timeout)
    {
        var regex = new Regex(pattern);
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            foreach (var line in _lines)
                if (regex.Match(line) is { Success: true } m) return m;
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync().WaitAsync(timeout);
                foreach (var line in _lines)
                    if (regex.Match(line) is { Success: true } m) return m;
                throw new Xunit.Sdk.XunitException($"The AppHost exited with {_process.ExitCode} before printing /{pattern}/:\n{Output}");
            }
            try
            {
                await _newLine.WaitAsync(TimeSpan.FromMilliseconds(200), deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new Xunit.Sdk.XunitException($"No line /{pattern}/ within {timeout.TotalSeconds} s:\n{Output}");
            }
        }
    }

    public async Task<Uri> WaitReadyAsync(TimeSpan timeout) =>
        new((await WaitForLineAsync("^" + Regex.Escape(ServiceSupervisor.ReadyPrefix) + "(?<url>http://\\S+)$", timeout)).Groups["url"].Value);

    /// <summary>SIGTERM, as a service manager or `kill` sends it; then waits for a clean exit.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        if (!_process.HasExited) Assert.Equal(0, SysKill(_process.Id, 15));
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        _process.Dispose();
    }

    private void Add(string? line)
    {
        if (line is null) return;
        _lines.Enqueue(line);
        _newLine.Release();
    }

    [GeneratedRegex(@"^\[apphost\] (?<name>[\w-]+) starting at \S+ \(pid (?<pid>\d+)\)")]
    private static partial Regex StartingLine();

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int signal);
}
