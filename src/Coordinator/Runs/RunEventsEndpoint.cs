using MassTransit;

namespace ModernBert.Coordinator.Runs;

/// <summary>
/// The run's events queue (<c>modernbert-run-{id}</c>), where workers report commits and failures and where the
/// faults of its jobs go: connected to the running bus once the run is known, consumed into the run's tracker, and
/// stopped when the run ends, so that nothing is recorded while it is finalized.
/// </summary>
public sealed class RunEventsEndpoint(IBus bus)
{
    public static string QueueName(string runId) => $"modernbert-run-{runId}";

    public async Task<IAsyncDisposable> ConnectAsync(RunTracker tracker, CancellationToken cancellationToken)
    {
        HostReceiveEndpointHandle handle = bus.ConnectReceiveEndpoint(QueueName(tracker.RunId),
            endpoint => endpoint.Consumer(() => new RunEventsConsumer(tracker)));
        var connection = new Connection(handle);
        try
        {
            await handle.Ready.WaitAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private sealed class Connection(HostReceiveEndpointHandle handle) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await handle.StopAsync(CancellationToken.None);
    }
}
