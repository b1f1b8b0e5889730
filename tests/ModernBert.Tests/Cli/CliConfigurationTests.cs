using Microsoft.Extensions.Configuration;
using ModernBert.Coordinator.Cli;

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
