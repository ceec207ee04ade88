using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Centrum.Jobs.Tests;

/// <summary>
/// Warnings and errors logged by the composed areas, so a test can fail on an error nobody asserted on (as the
/// integration fixture fails a server that logged one) and on a warning of EF Core (a query it had to warn about).
/// </summary>
internal sealed class RecordedLog : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, LogLevel Level, string Message)> _entries = new();

    public IReadOnlyList<(string Category, LogLevel Level, string Message)> Entries => [.. _entries];

    /// <summary>Errors of any source and warnings of the frameworks: what no test expects.</summary>
    public IReadOnlyList<string> Unexpected =>
        [.. _entries.Where(e => e.Level >= LogLevel.Error || (e.Level == LogLevel.Warning && e.Category.StartsWith("Microsoft.", StringComparison.Ordinal)))
            .Select(e => $"{e.Level} {e.Category}: {e.Message}")];

    public ILogger CreateLogger(string categoryName) => new Recorder(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class Recorder(string category, ConcurrentQueue<(string, LogLevel, string)> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                entries.Enqueue((category, logLevel, formatter(state, exception) + (exception is null ? "" : " " + exception)));
            }
        }
    }
}
