using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace DiSRouter.Gateway.Tests.Infrastructure;

/// <summary>Collects formatted log lines (Warning and above) so tests can count what a flood leaves in the log.</summary>
public sealed class ListLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) lines.Enqueue($"{logLevel} {category}[{eventId.Id}] {formatter(state, exception)}");
        }
    }
}
