using System.Diagnostics;
using DiSRouter.Training.Pool;
using Spectre.Console;

namespace DiSRouter.Training.Commands;

/// <summary>
/// Progress bars with Spectre.Console on an interactive terminal; on a redirected output (nohup, CI)
/// plain timestamped lines every few seconds instead, because redrawn bars make an unreadable log.
/// </summary>
internal static class ConsoleReporter
{
    public static IPoolReporter Create() =>
        AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected ? new SpectreReporter() : new LogReporter();

    private sealed class SpectreReporter : IPoolReporter
    {
        public int Run(Func<IPoolProgress, int> body)
        {
            int rc = 0;
            AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                    new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(ctx => rc = body(new Sink(ctx)));
            return rc;
        }

        private sealed class Sink(ProgressContext ctx) : IPoolProgress
        {
            public void Info(string line) => AnsiConsole.MarkupLine(Markup.Escape(line));

            public IProgressBar Bar(string description, double maxValue) => new Bar(ctx.AddTask(Markup.Escape(description), maxValue: maxValue));
        }

        private sealed class Bar(ProgressTask task) : IProgressBar
        {
            public void Update(double value, string? description = null)
            {
                task.Value = value;
                if (description is not null) task.Description = Markup.Escape(description);
            }

            public void Finish(string? description = null)
            {
                if (description is not null) task.Description = Markup.Escape(description);
                task.Value = task.MaxValue;
                task.StopTask();
            }
        }
    }

    private sealed class LogReporter : IPoolReporter
    {
        private static readonly TimeSpan Every = TimeSpan.FromSeconds(30);

        public int Run(Func<IPoolProgress, int> body) => body(new Sink());

        private static void Log(string line) => Console.WriteLine($"{DateTime.Now:HH:mm:ss} {line}");

        private sealed class Sink : IPoolProgress
        {
            public void Info(string line) => Log(line);

            public IProgressBar Bar(string description, double maxValue) { Log($"{description}: start"); return new Bar(description, maxValue); }
        }

        private sealed class Bar(string description, double max) : IProgressBar
        {
            private readonly Stopwatch _sinceLog = Stopwatch.StartNew();
            private string _description = description;

            public void Update(double value, string? description = null)
            {
                if (description is not null) _description = description;
                if (_sinceLog.Elapsed < Every) return;
                _sinceLog.Restart();
                Log($"{_description}: {value:0}/{max:0} ({100 * value / max:F0}%)");
            }

            public void Finish(string? description = null) => Log($"{description ?? _description}: done");
        }
    }
}
