using Microsoft.Extensions.Logging;

namespace ModernBert.Coordinator.Cli;

/// <summary>Logs every category as <see cref="LineLogger"/> lines; which levels reach it is the logging filters' choice.</summary>
internal sealed class LineLoggerProvider(Action<string> writeLine) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new LineLogger(writeLine, LogLevel.Trace);

    public void Dispose()
    {
    }
}
