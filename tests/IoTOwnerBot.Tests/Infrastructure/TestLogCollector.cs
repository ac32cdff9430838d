using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace IoTOwnerBot.Tests.Infrastructure;

/// <summary>Keeps every log line of a host so tests can assert what the service said.</summary>
public sealed class TestLogCollector : ILoggerProvider
{
    public sealed record Entry(string Category, LogLevel Level, int EventId, string Message);

    private readonly ConcurrentQueue<Entry> _entries = new();

    public IReadOnlyCollection<Entry> Entries => _entries;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose() { }

    private sealed class Logger(string category, ConcurrentQueue<Entry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) entries.Enqueue(new Entry(category, logLevel, eventId.Id, formatter(state, exception) + (exception is null ? "" : " | " + exception)));
        }
    }
}
