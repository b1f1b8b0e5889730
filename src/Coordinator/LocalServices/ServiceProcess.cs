using System.Diagnostics;

namespace ModernBert.Coordinator.LocalServices;

/// <summary>
/// A service that a test or a benchmark runs as a child process with its data in a temporary folder, and can stop and
/// start again (same ports, same data), as tests do to simulate an outage.
/// </summary>
public abstract class ServiceProcess : IAsyncDisposable
{
    private readonly TimeSpan _startTimeout;
    private readonly TimeSpan _stopGrace;
    private ChildProcess? _process;

    protected ServiceProcess(string folder, TimeSpan startTimeout, TimeSpan stopGrace)
    {
        Folder = folder;
        _startTimeout = startTimeout;
        _stopGrace = stopGrace;
    }

    /// <summary>The id of the process last started (which may have started others), while there is one.</summary>
    public int? ProcessId => _process?.Id;

    /// <summary>How long the last start took until the service answered.</summary>
    public TimeSpan LastStartDuration { get; private set; }

    /// <summary>The temporary folder of the service's data, deleted on dispose.</summary>
    protected string Folder { get; }

    /// <summary>The service, as error messages name it.</summary>
    protected abstract string Description { get; }

    /// <summary>Starts the service (again, after <see cref="StopAsync"/>) and waits until it answers.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_process is { HasExited: false })
            throw new InvalidOperationException($"{Description} is already running.");
        _process?.Dispose();
        var stopwatch = Stopwatch.StartNew();
        _process = Launch();
        await _process.WaitUntilAsync(Description, _startTimeout, IsAnsweringAsync, cancellationToken);
        LastStartDuration = stopwatch.Elapsed;
    }

    /// <summary>Stops the service gracefully (SIGTERM), so that it keeps its data; calls fail until <see cref="StartAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (_process != null)
            await _process.TerminateAsync(_stopGrace);
    }

    public virtual async ValueTask DisposeAsync()
    {
        _process?.Dispose();
        _process = null;
        await Task.Run(() => Directory.Delete(Folder, recursive: true));
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Starts a new service, disposing it when it does not come up. A service that exits while starting (as when
    /// another process took one of its free ports meanwhile) is tried again, with new ports, twice.
    /// </summary>
    protected static async Task<TService> StartNewAsync<TService>(Func<TService> create, CancellationToken cancellationToken)
        where TService : ServiceProcess
    {
        for (int attempt = 1; ; attempt++)
        {
            TService service = create();
            try
            {
                await service.StartAsync(cancellationToken);
                return service;
            }
            catch when (attempt < 3 && service._process is { HasExited: true })
            {
                await service.DisposeAsync();
            }
            catch
            {
                await service.DisposeAsync();
                throw;
            }
        }
    }

    protected abstract ChildProcess Launch();

    protected abstract Task<bool> IsAnsweringAsync(CancellationToken cancellationToken);
}
