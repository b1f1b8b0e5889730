using System.Net;
using ModernBert.Tests.Common;

namespace ModernBert.IntegrationTests.Fleet;

/// <summary>The Kubernetes probes and metrics endpoint of a worker process.</summary>
[Collection(FleetCollection.Name)]
public sealed class WorkerProbeTests(RabbitMqFixture rabbitFixture) : IDisposable
{
    private readonly TemporaryFolder _folder = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AWorkerIsLiveAtOnceAndReadyOnlyOnceItsBrokerAnswers()
    {
        int telemetry = TestServices.FreePort();
        using (ChildProcess unreachable = StartWorker(telemetry, brokerPort: TestServices.FreePort()))
        {
            await unreachable.WaitUntilAsync("worker", TimeSpan.FromMinutes(1), async token => await StatusAsync(telemetry, "healthz", token) == HttpStatusCode.OK, Cancellation);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, await StatusAsync(telemetry, "readyz", Cancellation));
        }

        RabbitMqServer rabbit = await rabbitFixture.GetAsync();
        using ChildProcess connected = StartWorker(telemetry, rabbit.Port);
        await connected.WaitUntilAsync("worker", TimeSpan.FromMinutes(1), async token => await StatusAsync(telemetry, "readyz", token) == HttpStatusCode.OK, Cancellation);
        string metrics = await _http.GetStringAsync($"http://127.0.0.1:{telemetry}/metrics", Cancellation);
        Assert.Contains("process_cpu_seconds_total", metrics);
    }

    [Fact]
    public async Task AWorkerWhoseDeviceLibtorchCannotServeEndsAtStartSayingSo()
    {
        // No machine that runs the tests has eight GPUs: without CUDA, or with fewer devices, cuda:7 cannot be served.
        using ChildProcess worker = StartWorker(TestServices.FreePort(), TestServices.FreePort(), devices: "cuda:7");

        int exitCode = await worker.WaitForExitAsync(TimeSpan.FromMinutes(1), Cancellation);

        Assert.True(exitCode == 1, $"The worker exited with {exitCode}:\n{worker.OutputTail}");
        Assert.StartsWith("modernbert-worker: Worker:Devices is 'cuda:7': ", worker.OutputTail.Trim().Split('\n')[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task HelpIsPrinted_AndAnArgumentThatIsNoSettingEndsTheWorkerNamingIt()
    {
        using ChildProcess help = FleetApps.Start(FleetApps.Worker, ["--help"], new Dictionary<string, string>(), _folder.Path);
        using ChildProcess set = FleetApps.Start(FleetApps.Worker, ["--set", "Worker:BatchJobs=2"], new Dictionary<string, string>(), _folder.Path);

        Assert.Equal(0, await help.WaitForExitAsync(TimeSpan.FromMinutes(1), Cancellation));
        Assert.Equal(1, await set.WaitForExitAsync(TimeSpan.FromMinutes(1), Cancellation));

        Assert.StartsWith("Usage: modernbert-worker [--Section:Key=value ...]", help.OutputTail.Trim(), StringComparison.Ordinal);
        Assert.StartsWith("modernbert-worker: --set is not a setting", set.OutputTail.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAppsettingsJsonThatIsNoJsonEndsTheWorkerSayingWhere()
    {
        using var folder = new TemporaryFolder();
        File.WriteAllText(Path.Combine(folder.Path, "appsettings.json"), """{"Worker": {"BatchJobs": 4}""");
        using ChildProcess worker = FleetApps.Start(FleetApps.Worker, [], new Dictionary<string, string>(), folder.Path);

        Assert.Equal(1, await worker.WaitForExitAsync(TimeSpan.FromMinutes(1), Cancellation));

        Assert.Equal($"modernbert-worker: Failed to load configuration from file '{Path.Combine(folder.Path, "appsettings.json")}': " +
            "Expected depth to be zero at the end of the JSON payload. There is an open JSON object or array that should be closed. " +
            "LineNumber: 0 | BytePositionInLine: 27.", worker.OutputTail.Trim());
    }

    public void Dispose()
    {
        _http.Dispose();
        _folder.Dispose();
    }

    private ChildProcess StartWorker(int telemetryPort, int brokerPort, string devices = "cpu") => FleetApps.Start(FleetApps.Worker, [], new Dictionary<string, string>
    {
        ["Telemetry__Port"] = telemetryPort.ToString(),
        ["Broker__Transport"] = "RabbitMq",
        ["Broker__Host"] = "127.0.0.1",
        ["Broker__Port"] = brokerPort.ToString(),
        ["Broker__JobQueue"] = $"probe-{Guid.NewGuid():N}",
        ["Worker__Devices"] = devices,
    }, _folder.Path);

    private async Task<HttpStatusCode?> StatusAsync(int port, string path, CancellationToken cancellationToken)
    {
        try
        {
            using HttpResponseMessage response = await _http.GetAsync($"http://127.0.0.1:{port}/{path}", cancellationToken);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
