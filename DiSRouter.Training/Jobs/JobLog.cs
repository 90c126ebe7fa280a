
namespace DiSRouter.Training.Jobs;

/// <summary>
/// A job run's log: every line of every stage, time-stamped, in runs/jobs/NAME/STAMP.log, and on the console with
/// the prefix "[NAME/STAGE]" among the services' lines.
/// </summary>
internal sealed class JobLog : IDisposable
{
    private readonly string _job;
    private readonly StreamWriter _file;
    private readonly Lock _gate = new();

    public JobLog(string job, string path)
    {
        _job = job;
        Path = path;
        _file = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
    }

    public string Path { get; }

    public void Line(string stage, string text)
    {
        JobConsole.Line($"{_job}/{stage}", text);
        lock (_gate) _file.WriteLine($"{DateTimeOffset.Now:yyyy-MM-ddTHH:mm:ss.fffzzz} [{stage}] {text}");
    }

    public void Dispose()
    {
        lock (_gate) _file.Dispose();
    }
}
