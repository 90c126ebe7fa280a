using System.Text;
using DiSRouter.AppHost.Hosting;

namespace DiSRouter.AppHost.Bench;

/// <summary>
/// Stands in for Console.Out while the network runs, so that stdout carries the bench's figures alone. The launcher's
/// own lines ("[apphost] agent-1 starting at ...") go to stderr as progress; the services' log lines only with
/// --verbose (they are also kept by each ServiceProcess for an error report). It also spots the ready line.
/// </summary>
internal sealed class BenchConsole(TextWriter progress, bool verbose) : TextWriter
{
    private readonly StringBuilder _line = new();
    private readonly TaskCompletionSource<Uri> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override Encoding Encoding => Encoding.UTF8;

    /// <summary>The gateway's URL, once the launcher has printed that every service is healthy.</summary>
    public Task<Uri> Ready => _ready.Task;

    public override void Write(char value)
    {
        if (value == '\n') Flush(_line.ToString().TrimEnd('\r'));
        else _line.Append(value);
    }

    public override void Write(string? value)
    {
        foreach (var c in value ?? "") Write(c);
    }

    public override void WriteLine(string? value)
    {
        Write(value);
        Write('\n');
    }

    private void Flush(string line)
    {
        _line.Clear();
        if (line.StartsWith(ServiceSupervisor.ReadyPrefix, StringComparison.Ordinal))
        {
            _ready.TrySetResult(new Uri(line[ServiceSupervisor.ReadyPrefix.Length..].Trim()));
            return;
        }
        // The prefix may be wrapped in colour codes when stdout is a terminal.
        if (verbose || line.Contains("[" + ConsoleOutput.AppHostName + "]", StringComparison.Ordinal)) progress.WriteLine(line);
    }
}
