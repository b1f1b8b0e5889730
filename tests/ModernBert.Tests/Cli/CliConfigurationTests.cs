using Microsoft.Extensions.Configuration;
using ModernBert.Coordinator.Cli;
using ModernBert.Storage;
using ModernBert.Worker;

namespace ModernBert.Tests.Cli;

public sealed class CliConfigurationTests
{
    [Fact]
    public void SetAssignmentsBecomeConfigurationKeys()
    {
        IConfiguration configuration = CliConfiguration.Build(
            ["Broker:Transport=RabbitMq", "Storage:Azure:ConnectionString=AccountName=a;AccountKey=b==", "Broker:Password="], quietLogs: false);

        Assert.Equal("RabbitMq", configuration["Broker:Transport"]);
        Assert.Equal("AccountName=a;AccountKey=b==", configuration["Storage:Azure:ConnectionString"]);
        Assert.Equal("", configuration["Broker:Password"]);
    }

    [Theory]
    [InlineData("Broker:Transport")]
    [InlineData("=RabbitMq")]
    [InlineData("")]
    public void AnAssignmentWithoutAKeyAndAnEqualsSignIsRejected(string assignment)
    {
        var error = Assert.Throws<ConfigurationException>(() => CliConfiguration.Build([assignment], quietLogs: false));

        Assert.Equal($"--set expects Section:Key=value, not '{assignment}'.", error.Message);
    }

    [Theory]
    [InlineData("Brokr:Transport=RabbitMq", "Brokr")]
    [InlineData("Transport=RabbitMq", "Transport")]
    public void AnAssignmentToNoSectionOfTheSettingsIsRejected(string assignment, string section)
    {
        var error = Assert.Throws<ConfigurationException>(() => CliConfiguration.Build([assignment], quietLogs: false));

        Assert.Equal($"--set {assignment}: {section} is not a section of the settings, which are Broker, Coordinator, HuggingFace, Input, " +
            "Logging, Output, Planning, Resilience, Runs, Storage, Telemetry, Worker (see README, Configuration).", error.Message);
    }

    /// <summary>Every settings class's section, read from the classes that declare one.</summary>
    [Fact]
    public void TheSectionsAreEverySettingsClasssSectionAndLogging()
    {
        string[] declared = [.. new[] { typeof(CliConfiguration).Assembly, typeof(WorkerOptions).Assembly, typeof(StorageOptions).Assembly }
            .SelectMany(assembly => assembly.GetTypes())
            .Select(type => type.GetField("SectionName", System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static))
            .Where(field => field is { IsLiteral: true })
            .Select(field => (string)field!.GetRawConstantValue()!)];

        Assert.Equal([.. declared.Append("Logging").Append("Resilience").Order(StringComparer.Ordinal)], CliConfiguration.Sections.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void QuietLogsDefaultToWarningsAndTheHubsDownloads_SoThatAProgressLineOrACommandsReportStaysReadable()
    {
        IConfiguration terminal = CliConfiguration.Build(["Runs:Location=/tmp/runs"], quietLogs: true);

        Assert.Equal(("Warning", "Information", "/tmp/runs"),
            (terminal["Logging:LogLevel:Default"], terminal["Logging:LogLevel:ModernBert.Hub"], terminal["Runs:Location"]));
        Assert.Null(CliConfiguration.Build(null, quietLogs: false)["Logging:LogLevel:Default"]);
    }

    [Fact]
    public void AnExplicitLogLevelWinsOnATerminal()
    {
        Assert.Equal("Debug", CliConfiguration.Build(["Logging:LogLevel:Default=Debug"], quietLogs: true)["Logging:LogLevel:Default"]);
    }
}
