namespace DiSRouter.Training.Pool;

/// <summary>Where long-running pool work reports: log lines and progress bars (Spectre on a terminal, plain lines in a log).</summary>
internal interface IPoolProgress
{
    void Info(string line);

    IProgressBar Bar(string description, double maxValue);
}

internal interface IProgressBar
{
    void Update(double value, string? description = null);

    void Finish(string? description = null);
}

/// <summary>Runs a body of work with a progress sink that lives as long as the work.</summary>
internal interface IPoolReporter
{
    int Run(Func<IPoolProgress, int> body);
}

/// <summary>Discards everything: tests and callers that only want the result.</summary>
internal sealed class SilentReporter : IPoolReporter, IPoolProgress, IProgressBar
{
    public static SilentReporter Instance { get; } = new();
    public int Run(Func<IPoolProgress, int> body) => body(this);
    public void Info(string line) { }
    public IProgressBar Bar(string description, double maxValue) => this;
    public void Update(double value, string? description = null) { }
    public void Finish(string? description = null) { }
}
