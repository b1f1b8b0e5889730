using Microsoft.Extensions.Logging;

namespace ModernBert.Worker;

/// <summary>
/// Ends the worker process when a batch spends longer than <c>Worker:BatchTimeout</c> on a GPU (a hung GPU or driver
/// call that no cancellation reaches): the process exits non-zero, so that Kubernetes restarts it, and its connection
/// to the broker closes, so that its unacknowledged jobs go to other workers. CPU batches are not watched (<see cref="DeviceLoops"/>).
/// </summary>
public sealed class BatchWatchdog(WorkerOptions options, TimeProvider time, ILogger<BatchWatchdog> logger, Action<string> endProcess)
{
    /// <summary>Ends this process at once, with a non-zero exit code, whatever its threads are doing.</summary>
    public static void FailFast(string reason) => Environment.FailFast(reason);

    /// <summary>Watches a batch from now until the returned handle is disposed.</summary>
    public IDisposable Watch(string batch) => time.CreateTimer(_ => Expired(batch), null, options.BatchTimeout, Timeout.InfiniteTimeSpan);

    private void Expired(string batch)
    {
        string reason = $"{batch} made no progress for {options.BatchTimeout} ({WorkerOptions.SectionName}:{nameof(WorkerOptions.BatchTimeout)}): " +
            "ending this worker so that its jobs are taken again (by other workers; by modernbert run --resume where the worker is run's own).";
        logger.LogCritical("{Reason}", reason);
        endProcess(reason);
    }
}
