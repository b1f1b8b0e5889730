using ModernBert.Worker;

namespace ModernBert.Tests.Worker;

public sealed class WorkerCommandLineTests
{
    [Theory]
    [InlineData("--Worker:BatchJobs=4")]
    [InlineData("--Broker:Host", "rabbitmq", "--worker:devices=cuda:0")]
    [InlineData("--Resilience:Storage:MaxRetryAttempts=3", "--Logging:LogLevel:Default=Debug", "--Telemetry:Port=0")]
    public void SettingsOfTheWorkersSectionsAreTaken(params string[] args)
    {
        Assert.Null(WorkerCommandLine.Problem(args));
        Assert.False(WorkerCommandLine.AsksForHelp(args));
    }

    [Theory]
    [InlineData("'Worker:BatchJobs=2' is not a setting: give settings as --Section:Key=value (modernbert-worker --help).", "Worker:BatchJobs=2")]
    [InlineData("--Worker:BatchJobs has no value: give settings as --Section:Key=value.", "--Worker:BatchJobs")]
    [InlineData("--set is not a setting: give settings as --Section:Key=value, in the sections Broker, HuggingFace, Logging, Output, " +
        "Resilience, Storage, Telemetry, Worker (modernbert-worker --help).", "--set", "Worker:BatchJobs=2")]
    [InlineData("--Planning:JobTokens is not a setting: give settings as --Section:Key=value, in the sections Broker, HuggingFace, Logging, " +
        "Output, Resilience, Storage, Telemetry, Worker (modernbert-worker --help).", "--Worker:BatchJobs=2", "--Planning:JobTokens=1024")]
    public void AnythingElseIsRefusedNamingIt(string problem, params string[] args) => Assert.Equal(problem, WorkerCommandLine.Problem(args));

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("--Worker:BatchJobs=2", "-?")]
    public void HelpIsAskedFor(params string[] args) => Assert.True(WorkerCommandLine.AsksForHelp(args));
}
