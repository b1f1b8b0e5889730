using Microsoft.Extensions.Logging;

namespace ModernBert.Tests.Common;

/// <summary>
/// A logger that keeps what is logged, for tests that check what a component reports, and signals an awaited entry.
/// It is also its own provider, so one instance records every category of a service provider
/// (<c>services.AddLogging(b => b.AddProvider(logger))</c>).
/// </summary>
public sealed class RecordingLogger : ILogger, ILoggerProvider
{
    private readonly Lock _lock = new();
    private readonly List<(LogLevel Level, string Message)> _entries = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Logged)> _awaited = [];

    public IReadOnlyList<(LogLevel Level, string Message)> Entries
    {
        get
        {
            lock (_lock)
                return [.. _entries];
        }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        string message = formatter(state, exception);
        lock (_lock)
        {
            _entries.Add((logLevel, message));
            foreach (var awaited in _awaited.Where(awaited => awaited.Match(message)).ToArray())
            {
                _awaited.Remove(awaited);
                awaited.Logged.SetResult(message);
            }
        }
    }

    /// <summary>The first message (logged already or later) that <paramref name="match"/> accepts.</summary>
    public Task<string> WhenLoggedAsync(Func<string, bool> match)
    {
        lock (_lock)
        {
            foreach ((_, string message) in _entries)
            {
                if (match(message))
                    return Task.FromResult(message);
            }
            var logged = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _awaited.Add((match, logged));
            return logged.Task;
        }
    }

    ILogger ILoggerProvider.CreateLogger(string categoryName) => this;

    void IDisposable.Dispose()
    {
    }
}
