using System.Collections.Concurrent;
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

    public async Task<Connection> ConnectAsync(RunTracker tracker, CancellationToken cancellationToken)
    {
        var barriers = new ConcurrentDictionary<Guid, TaskCompletionSource>();
        HostReceiveEndpointHandle handle = bus.ConnectReceiveEndpoint(QueueName(tracker.RunId), endpoint =>
        {
            endpoint.Consumer(() => new RunEventsConsumer(tracker));
            // Sent to the queue itself, never published: no exchange of its type on a broker.
            endpoint.ConfigureMessageTopology<RunEventsBarrier>(false);
            endpoint.Handler<RunEventsBarrier>(context =>
            {
                if (barriers.TryRemove(context.Message.Id, out TaskCompletionSource? reached))
                    reached.TrySetResult();
                return Task.CompletedTask;
            });
        });
        var connection = new Connection(bus, handle, QueueName(tracker.RunId), barriers);
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

    /// <summary>The connected endpoint; disposing it stops it, once the events it has taken are recorded.</summary>
    public sealed class Connection(IBus bus, HostReceiveEndpointHandle handle, string queue, ConcurrentDictionary<Guid, TaskCompletionSource> barriers)
        : IAsyncDisposable
    {
        /// <summary>
        /// Sends a barrier through the queue and waits until the endpoint takes it: every event sent before this call
        /// has then been taken, and stopping the endpoint records it (the in-process transport hands a queue's
        /// messages over in order, and a stopping endpoint finishes those it has taken).
        /// </summary>
        public async Task TakeEventsSentSoFarAsync(CancellationToken cancellationToken)
        {
            var barrier = new RunEventsBarrier(Guid.NewGuid());
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            barriers[barrier.Id] = reached;
            ISendEndpoint endpoint = await bus.GetSendEndpoint(new Uri($"queue:{queue}"));
            await endpoint.Send(barrier, cancellationToken);
            await reached.Task.WaitAsync(cancellationToken);
        }

        public async ValueTask DisposeAsync() => await handle.StopAsync(CancellationToken.None);
    }
}

/// <summary>A marker the coordinator sends through its own events queue (<see cref="RunEventsEndpoint.Connection.TakeEventsSentSoFarAsync"/>).</summary>
public sealed record RunEventsBarrier(Guid Id);
