using Microsoft.Extensions.Logging;

namespace ModernBert.Coordinator.Cli;

/// <summary>
/// Writes log entries at or above a level as one line each, to a text writer (the CLI's stderr) or a line sink: the
/// message, after its level ("warning: ...") unless it is information.
/// </summary>
internal sealed class LineLogger(Action<string> writeLine, LogLevel minimumLevel) : ILogger
{
    public LineLogger(TextWriter writer, LogLevel minimumLevel) : this(line => WriteLine(writer, line), minimumLevel)
    {
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimumLevel && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
            return;
        string message = formatter(state, exception);
        writeLine(logLevel == LogLevel.Information ? message : $"{logLevel.ToString().ToLowerInvariant()}: {message}");
    }

    private static void WriteLine(TextWriter writer, string line)
    {
        lock (writer)
            writer.WriteLine(line);
    }
}
