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
    private readonly List<(Func<string, bool> Match, int Count, TaskCompletionSource Logged)> _awaited = [];

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
            foreach (var awaited in _awaited.Where(awaited => awaited.Match(message) && CountOf(awaited.Match) >= awaited.Count).ToArray())
            {
                _awaited.Remove(awaited);
                awaited.Logged.SetResult();
            }
        }
    }

    /// <summary>Completes once <paramref name="count"/> messages (logged already or later) match.</summary>
    public Task WhenLoggedAsync(Func<string, bool> match, int count = 1)
    {
        lock (_lock)
        {
            if (CountOf(match) >= count)
                return Task.CompletedTask;
            var logged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _awaited.Add((match, count, logged));
            return logged.Task;
        }
    }

    private int CountOf(Func<string, bool> match) => _entries.Count(entry => match(entry.Message));

    ILogger ILoggerProvider.CreateLogger(string categoryName) => this;

    void IDisposable.Dispose()
    {
    }
}
