using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ModernBert.Fleet;
using ModernBert.Worker;

namespace ModernBert.Coordinator.Runs;

/// <summary>
/// The worker in the coordinator's process when no broker is configured: its job endpoint is connected once the bus
/// runs, and can be stopped ahead of the bus, so that a run interrupted while batches are under way records their
/// reports before its events endpoint closes (<see cref="RunService"/>).
/// </summary>
public sealed class EmbeddedWorker(IReceiveEndpointConnector endpoints, IOptions<BrokerOptions> broker, WorkerOptions options, JobIntake intake)
    : IHostedService
{
    private HostReceiveEndpointHandle? _jobs;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _jobs = endpoints.ConnectReceiveEndpoint(broker.Value.JobQueue, WorkerServices.ConfigureJobEndpoint);
        await _jobs.Ready.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Takes no more jobs and lets the batches under way finish and report, for up to <c>Worker:ShutdownGracePeriod</c>
    /// (then they are cancelled, as a worker's are when it stops); the jobs it has taken but not started are dropped,
    /// for the run's resume to send again. Later calls do nothing.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _jobs, null) is not { } jobs)
            return;
        intake.Close();
        using var grace = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        grace.CancelAfter(options.ShutdownGracePeriod);
        await jobs.StopAsync(grace.Token);
    }
}
