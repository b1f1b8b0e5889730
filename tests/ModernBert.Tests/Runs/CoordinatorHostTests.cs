using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModernBert.Coordinator;
using ModernBert.Coordinator.Cli;
using ModernBert.Composition;
using ModernBert.Coordinator.Runs;
using ModernBert.Hub;
using ModernBert.Storage;
using ModernBert.Tests.Common;
using ModernBert.Worker;
using static ModernBert.Tests.Composition.SettingsTestServices;

namespace ModernBert.Tests.Runs;

/// <summary>The CLI's composition of a run, as <c>modernbert run</c> builds it (the host is built, not started).</summary>
public sealed class CoordinatorHostTests
{
    [Fact]
    public void TheEmbeddedWorkerSharesTheProcesssOneObjectStoreFactoryAndHubResolver()
    {
        using var folder = new TemporaryFolder();
        using IHost host = CoordinatorHost.ForRuns(Configuration(("Runs:Location", folder.Path), ("Worker:Devices", "cpu"), ("HuggingFace:Offline", "true")));
        host.Services.ValidateSettings();

        Assert.Single(host.Services.GetServices<ObjectStoreFactory>());
        Assert.Single(host.Services.GetServices<HuggingFaceModelResolver>());
        Assert.NotNull(host.Services.GetRequiredService<JobProcessor>());
        Assert.NotNull(host.Services.GetRequiredService<RunService>());
    }

    [Fact]
    public void OnATerminalTheRunsLogLinesAreWrittenAboveItsProgressLine()
    {
        var errors = new StringWriter();
        var terminal = new TerminalStatusLine(errors, () => 80);
        using IHost host = CoordinatorHost.ForRuns(Configuration(("Broker:Transport", "RabbitMq")), terminal);
        terminal.Show("[planning]");

        host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ModernBert.Coordinator.Runs.RunDriver").LogWarning("Skipping a.jsonl:3");

        Assert.Equal($"\r[planning]\r          \rwarning: Skipping a.jsonl:3{Environment.NewLine}[planning]", errors.ToString());
        Assert.Same(terminal, host.Services.GetService<TerminalStatusLine>()); // where RunService's progress line goes
    }

    [Fact]
    public void ALocalCommandWithQuietLogsWritesWarningsAndTheHubsDownloads_AndNoOtherInformation()
    {
        var errors = new StringWriter();
        using IHost host = CoordinatorHost.ForLocalInference(CliConfiguration.Build(null, quietLogs: true), errors);
        ILoggerFactory logging = host.Services.GetRequiredService<ILoggerFactory>();

        logging.CreateLogger("ModernBert.Worker.DeviceLoop").LogInformation("Loading the model");
        logging.CreateLogger("ModernBert.Hub.HubClient").LogInformation("Downloading model.safetensors");
        logging.CreateLogger("ModernBert.Inputs.CorpusReader").LogWarning("Skipping a.jsonl:3");

        Assert.Equal($"Downloading model.safetensors{Environment.NewLine}warning: Skipping a.jsonl:3{Environment.NewLine}", errors.ToString());
    }

    [Fact]
    public void WithABrokerTheRunHasNoEmbeddedWorker()
    {
        using IHost host = CoordinatorHost.ForRuns(Configuration(("Broker:Transport", "RabbitMq")));

        Assert.Null(host.Services.GetService<JobProcessor>());
        Assert.NotNull(host.Services.GetRequiredService<RunService>());
    }

    [Theory]
    [InlineData(null, 192)]   // 2 x prefetch: 2 batches x 8 jobs x 3 concurrent batches x 2 device loops
    [InlineData("10", 20)]    // 2 x Broker:PrefetchCount
    public void AnEmbeddedRunQueuesTwiceItsWorkersPrefetch(string? prefetch, int outstanding)
    {
        (string, string)[] settings = [("Worker:Devices", "cpu,cpu"), ("Worker:BatchJobs", "8"), ("Worker:ConcurrentBatches", "3")];
        using IHost host = CoordinatorHost.ForRuns(Configuration(prefetch is null ? settings : [.. settings, ("Broker:PrefetchCount", prefetch)]));

        Assert.Equal(outstanding, host.Services.GetRequiredService<IOptions<CoordinatorOptions>>().Value.MaxOutstandingJobs);
    }

    [Theory]
    [InlineData("InMemory", "300", 300)]
    [InlineData("RabbitMq", null, 2048)]
    public void MaxOutstandingJobsSetOrWithABrokerIsKept(string transport, string? value, int outstanding)
    {
        (string, string)[] settings = [("Broker:Transport", transport), ("Worker:Devices", "cpu")];
        using IHost host = CoordinatorHost.ForRuns(Configuration(value is null ? settings : [.. settings, ("Coordinator:MaxOutstandingJobs", value)]));

        Assert.Equal(outstanding, host.Services.GetRequiredService<IOptions<CoordinatorOptions>>().Value.MaxOutstandingJobs);
    }

    /// <remarks>
    /// With MaxOutstandingJobs left off, an embedded run computes it from the worker's settings: an invalid one hides
    /// none of the coordinator's.
    /// </remarks>
    [Theory]
    [InlineData("MaxOutstandingJobs")]
    [InlineData("PublishesInFlight")]
    public void EverySettingOutOfRangeIsReportedAtOnceBeforeTheHostStarts(string coordinatorSetting)
    {
        using IHost host = CoordinatorHost.ForRuns(Configuration(("Worker:BatchJobs", "0"), ($"Coordinator:{coordinatorSetting}", "0")));

        var error = Assert.Throws<AggregateException>(host.Services.ValidateSettings);

        Assert.Equal([$"Coordinator:{coordinatorSetting} is 0; it must be at least 1.", "Worker:BatchJobs is 0; it must be at least 1."],
            error.InnerExceptions.SelectMany(inner => ((OptionsValidationException)inner).Failures).Order());
    }

    [Fact]
    public void TheBusSendsNoUsageTelemetry()
    {
        using IHost host = CoordinatorHost.ForRuns(Configuration(("Broker:Transport", "RabbitMq")));

        Assert.False(host.Services.GetRequiredService<IOptions<MassTransit.UsageTelemetryOptions>>().Value.Enabled);
    }

    /// <summary>A watched appsettings.json puts an inotify watch on every folder under the working directory.</summary>
    [Fact]
    public void NoHostWatchesItsConfigurationFilesForChanges()
    {
        using var folder = new TemporaryFolder();
        using var free = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        free.Start();
        string port = ((System.Net.IPEndPoint)free.LocalEndpoint).Port.ToString();
        free.Stop();
        IHost[] hosts =
        [
            CoordinatorHost.ForStatus(Configuration(("Runs:Location", folder.Path))),
            CoordinatorHost.ForLocalInference(Configuration(), TextWriter.Null),
            CoordinatorHost.ForTokenize(Configuration(), TextWriter.Null),
            CoordinatorHost.ForRuns(Configuration(("Runs:Location", folder.Path))),
            CoordinatorHost.ForRuns(Configuration(("Runs:Location", folder.Path), ("Telemetry:Port", port))),
        ];

        foreach (IHost host in hosts)
        {
            using (host)
            {
                // The builders add the working directory's appsettings.json whether or not it exists.
                FileConfigurationSource[] files = [.. FileSources(host.Services.GetRequiredService<IConfiguration>())];
                Assert.Contains(files, file => file.Path == "appsettings.json");
                Assert.All(files, file => Assert.False(file.ReloadOnChange, $"{file.Path} is watched"));
            }
        }
    }

    private static IEnumerable<FileConfigurationSource> FileSources(IConfiguration configuration) =>
        ((IConfigurationRoot)configuration).Providers.SelectMany(provider => provider switch
        {
            FileConfigurationProvider file => [file.Source],
            ChainedConfigurationProvider chained => FileSources(chained.Configuration),
            _ => [],
        });

    [Fact]
    public void AMetricsPortInUseIsOneLineNamingTheSetting()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        int port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;

        var error = Assert.Throws<ConfigurationException>(() => CoordinatorHost.ForRuns(Configuration(("Telemetry:Port", port.ToString()))));

        Assert.StartsWith($"Telemetry:Port {port} on 127.0.0.1 cannot serve metrics: ", error.Message);
        Assert.EndsWith("Set Telemetry:Port to a free port (0 serves none).", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }
}
