using ModernBert.Coordinator.LocalServices;
using ModernBert.Fleet;

namespace ModernBert.Coordinator.Benchmarks;

/// <summary>
/// <c>bench fleet</c>'s workers: child processes running <c>modernbert bench fleet-worker</c>, the worker's own
/// composition (<c>WorkerServices</c>: bus, batching, device loop, commit path, reports) with the
/// <see cref="StandInEmbeddingModel"/>. Separate processes, so that the coordinator's CPU and memory are measured alone.
/// </summary>
public sealed class StandInWorkers : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan StopGrace = TimeSpan.FromMinutes(1);
    private readonly List<(ChildProcess Process, int TelemetryPort)> _workers = [];

    /// <summary>Starts <paramref name="count"/> workers with <paramref name="settings"/> and waits until each is connected to the broker.</summary>
    public static async Task<StandInWorkers> StartAsync(int count, IEnumerable<KeyValuePair<string, string?>> settings, string folder,
        CancellationToken cancellationToken)
    {
        var workers = new StandInWorkers();
        try
        {
            Dictionary<string, string> environment = settings.Where(setting => setting.Value != null)
                .ToDictionary(setting => setting.Key.Replace(":", "__", StringComparison.Ordinal), setting => setting.Value!);
            (string program, string[] command) = WorkerCommand();
            for (int i = 0; i < count; i++)
            {
                int port = LocalPorts.Free();
                environment[$"{TelemetryOptions.SectionName}__{nameof(TelemetryOptions.Port)}"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
                workers._workers.Add((ChildProcess.Start(program, command, environment, folder), port));
            }
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            foreach ((ChildProcess process, int port) in workers._workers)
                await process.WaitUntilAsync($"bench fleet worker {process.Id}", StartTimeout, token => IsReadyAsync(http, port, token), cancellationToken);
            return workers;
        }
        catch
        {
            await workers.DisposeAsync();
            throw;
        }
    }

    /// <summary>A worker that has exited (none should before the run ends), with its last output lines; null while all run.</summary>
    public string? Exited() => _workers.Select(worker => worker.Process).FirstOrDefault(process => process.HasExited) is { } exited
        ? $"bench fleet worker {exited.Id} exited with code {exited.ExitCode}:\n{exited.OutputTail}"
        : null;

    /// <summary>The CPU seconds the workers have used so far, together.</summary>
    public double CpuSeconds() => _workers.Sum(worker => ProcessStatistics.TreeCpuSeconds(worker.Process.Id));

    /// <summary>Stops the workers as Kubernetes does (SIGTERM: finish, commit and acknowledge, exit).</summary>
    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_workers.Select(worker => worker.Process.TerminateAsync(StopGrace)));
        foreach ((ChildProcess process, _) in _workers)
            process.Dispose();
        _workers.Clear();
    }

    /// <summary>
    /// The modernbert program (whichever process hosts this code, the CLI or a test): its apphost beside modernbert.dll
    /// where the build made one, else the dll through dotnet.
    /// </summary>
    private static (string Program, string[] Arguments) WorkerCommand()
    {
        string assembly = typeof(StandInWorkers).Assembly.Location;
        string apphost = Path.ChangeExtension(assembly, null);
        return File.Exists(apphost) ? (apphost, ["bench", "fleet-worker"]) : ("dotnet", [assembly, "bench", "fleet-worker"]);
    }

    private static async Task<bool> IsReadyAsync(HttpClient http, int port, CancellationToken cancellationToken)
    {
        try
        {
            using HttpResponseMessage response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/readyz"), cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
