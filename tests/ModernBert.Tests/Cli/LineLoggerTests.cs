using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using ModernBert.Coordinator.Cli;

namespace ModernBert.Tests.Cli;

public sealed class LineLoggerTests
{
    private readonly List<string> _lines = [];

    [Fact]
    public void AWarningWithAnExceptionIsOneLineEndingInItsInnermostMessage()
    {
        var logger = new LineLogger(_lines.Add, LogLevel.Information);
        var refused = new InvalidOperationException("Broker unreachable: guest@localhost:5999/",
            new AggregateException("One or more errors occurred.", new SocketException((int)SocketError.ConnectionRefused)));

        logger.LogWarning(refused, "Connection Failed: {Address}", "rabbitmq://localhost:5999/");
        logger.LogInformation(refused, "Retrying in {Delay}", "00:00:06");

        Assert.Equal(["warning: Connection Failed: rabbitmq://localhost:5999/ (Connection refused)", "Retrying in 00:00:06 (Connection refused)"], _lines);
    }

    [Fact]
    public void AnErrorKeepsItsWholeException()
    {
        var logger = new LineLogger(_lines.Add, LogLevel.Information);
        Exception thrown = Throw();

        logger.LogError(thrown, "Consumer faulted");

        string line = Assert.Single(_lines);
        Assert.StartsWith($"error: Consumer faulted{Environment.NewLine}System.InvalidOperationException: inner failure", line, StringComparison.Ordinal);
        Assert.Contains($"at {typeof(LineLoggerTests).FullName}.{nameof(Throw)}", line, StringComparison.Ordinal);
    }

    [Fact]
    public void EntriesBelowTheLevelAreNotWritten()
    {
        var logger = new LineLogger(_lines.Add, LogLevel.Warning);

        logger.LogInformation("Bus started");
        logger.LogWarning("Skipping a.jsonl:3");

        Assert.Equal(["warning: Skipping a.jsonl:3"], _lines);
    }

    private static Exception Throw()
    {
        try
        {
            throw new InvalidOperationException("inner failure");
        }
        catch (InvalidOperationException e)
        {
            return e;
        }
    }
}
