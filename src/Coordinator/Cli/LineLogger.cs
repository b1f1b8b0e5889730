using Microsoft.Extensions.Logging;

namespace ModernBert.Coordinator.Cli;

/// <summary>
/// Writes log entries at or above a level as one line each, to a text writer (the CLI's stderr) or a line sink: the
/// message, after its level ("warning: ...") unless it is information, and the innermost message of an exception the
/// entry carries (a library's warning about a retried call, say: "(Connection refused)"); an error's exception is
/// written whole, on the lines after it.
/// </summary>
internal sealed class LineLogger(Action<string> writeLine, LogLevel minimumLevel) : ILogger
{
    public LineLogger(TextWriter writer, LogLevel minimumLevel) : this(LinesTo(writer), minimumLevel)
    {
    }

    /// <summary>A line sink that writes whole lines to <paramref name="writer"/>, one writer at a time.</summary>
    public static Action<string> LinesTo(TextWriter writer) => line =>
    {
        lock (writer)
            writer.WriteLine(line);
    };

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimumLevel && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
            return;
        string message = formatter(state, exception);
        if (exception is not null)
            message = logLevel >= LogLevel.Error ? $"{message}{Environment.NewLine}{exception}" : $"{message} ({exception.GetBaseException().Message})";
        writeLine(logLevel == LogLevel.Information ? message : $"{logLevel.ToString().ToLowerInvariant()}: {message}");
    }
}
