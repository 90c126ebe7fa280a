using System.Diagnostics;
using DiSRouter.Training.Jobs;

namespace DiSRouter.Training.Tests.Jobs;

/// <summary>The training CLI's own dll through the dotnet host, its output gathered.</summary>
internal sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _output = new();

    private CliProcess(Process process) => _process = process;

    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    public Stopwatch Staged { get; set; } = new();

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output { get { lock (_output) return _output.ToString(); } }

    public static CliProcess Start(params string[] arguments)
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
        var info = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(typeof(CheckpointPublisher).Assembly.Location);
        foreach (var a in arguments) info.ArgumentList.Add(a);
        info.Environment["DOTNET_NOLOGO"] = "1";
        var cli = new CliProcess(new Process { StartInfo = info });
        cli._process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (cli._output) cli._output.AppendLine(e.Data); };
        cli._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (cli._output) cli._output.AppendLine(e.Data); };
        cli._process.Start();
        cli._process.BeginOutputReadLine();
        cli._process.BeginErrorReadLine();
        return cli;
    }

    /// <summary>Waits for the exit; returns the time since the staging folder appeared.</summary>
    public async Task<TimeSpan> UntilExitAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(Timeout);
        _process.WaitForExit(); // the last lines of output
        return Staged.Elapsed;
    }

    /// <summary>SIGKILL (Process.Kill on Unix), and waits until it is gone.</summary>
    public void Kill()
    {
        try { _process.Kill(); } catch (InvalidOperationException) { } // it had already finished
        _process.WaitForExit();
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
