using ModernBert.Tests.Common;

namespace ModernBert.IntegrationTests.Deploy;

/// <summary>The apps the images copy, published with the images' own commands, run.</summary>
[Collection(nameof(PublishedImageAppsTests))]
public sealed class PublishedImageAppsTests : IClassFixture<PublishedImageApps>
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    private readonly PublishedImageApps _apps;

    public PublishedImageAppsTests(PublishedImageApps apps)
    {
        _apps = apps;
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheCoordinatorImagesCliPrintsItsHelp()
    {
        string app = await _apps.OutputAsync("coordinator.Dockerfile");

        (int exitCode, string output) = await RunAsync(Path.Combine(app, "modernbert"), ["--help"], []);

        Assert.True(exitCode == 0, $"modernbert --help exited with {exitCode}:\n{output}");
        Assert.Contains("Usage:", output);
        Assert.Contains("modernbert [command] [options]", output);
    }

    [Fact]
    public async Task ThePyTorchWorkerImagesAppShipsNoLibtorchAndStarts()
    {
        string app = await _apps.OutputAsync("worker-pytorch.Dockerfile");
        string libtorch = await _apps.OutputAsync("coordinator.Dockerfile");

        Assert.True(File.Exists(Path.Combine(app, "libLibTorchSharp.so")), "libLibTorchSharp.so is missing from the worker's output");
        Assert.Empty(Directory.GetFiles(app, "libtorch*.so").Concat(Directory.GetFiles(app, "libc10*.so")));
        int telemetry = TestServices.FreePort();
        using var worker = ChildProcess.Start(Path.Combine(app, "modernbert-worker"), [], new Dictionary<string, string>
        {
            ["LD_LIBRARY_PATH"] = libtorch,
            ["Broker__Transport"] = "InMemory",
            ["Telemetry__Port"] = telemetry.ToString(),
        }, app);
        // Ready once it has started its bus (and so loaded what it needs); then stopped as Kubernetes stops it (SIGTERM),
        // it must drain and exit.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await worker.WaitUntilAsync("modernbert-worker", RunTimeout, async token => await IsReadyAsync(http, telemetry, token), Token);
        await worker.TerminateAsync(TimeSpan.FromSeconds(90));

        Assert.True(worker.HasExited && worker.ExitCode == 0, $"modernbert-worker did not exit cleanly:\n{worker.OutputTail}");
    }

    private static async Task<bool> IsReadyAsync(HttpClient http, int port, CancellationToken cancellationToken)
    {
        try
        {
            using HttpResponseMessage response = await http.GetAsync($"http://127.0.0.1:{port}/readyz", cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    [Fact]
    public async Task AnAppPublishedWithoutLibtorchRunsOnTheLibtorchOnLdLibraryPath()
    {
        // The PyTorch worker image's setting (TorchSharpBackend=none), on the CLI, whose bench runs a model; the CPU
        // image's libtorch stands in for a PyTorch installation's torch/lib.
        string app = await _apps.OutputAsync("coordinator.Dockerfile", torchSharpBackend: "none");
        string libtorch = await _apps.OutputAsync("coordinator.Dockerfile");
        string[] bench = ["bench", "model", "--size", "tiny", "--device", "cpu", "--dataset", "short_fixed", "--sequences", "4"];

        (int withoutExitCode, string withoutOutput) = await RunAsync(Path.Combine(app, "modernbert"), bench, []);
        (int withExitCode, string withOutput) = await RunAsync(Path.Combine(app, "modernbert"), bench, new() { ["LD_LIBRARY_PATH"] = libtorch });

        Assert.True(withoutExitCode != 0, $"the bench ran without any libtorch:\n{withoutOutput}");
        Assert.True(withExitCode == 0, $"the bench failed with LD_LIBRARY_PATH={libtorch}:\n{withOutput}");
        Assert.Contains("\"tokens_per_s\":", withOutput);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string executable, string[] arguments, Dictionary<string, string> environment)
    {
        (int exitCode, string output, string errors) = await ProcessRun.RunAsync(executable, arguments, environment, null, RunTimeout, Token);
        return (exitCode, output + errors);
    }
}

/// <summary>Publishing loads every core for a minute: the tests run alone, not beside timing-sensitive service tests.</summary>
[CollectionDefinition(nameof(PublishedImageAppsTests), DisableParallelization = true)]
public sealed class PublishedImageAppsCollection;
