using Microsoft.Extensions.Logging;

namespace ModernBert.Coordinator.Cli;

/// <summary>Writes log entries at or above a level to a text writer (the CLI's stderr), one line each.</summary>
internal sealed class TextWriterLogger(TextWriter writer, LogLevel minimumLevel) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimumLevel && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
            return;
        lock (writer)
            writer.WriteLine($"{logLevel.ToString().ToLowerInvariant()}: {formatter(state, exception)}");
    }
}
