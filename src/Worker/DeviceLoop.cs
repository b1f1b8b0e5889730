using Microsoft.Extensions.Logging;
using ModernBert.Documents;
using ModernBert.Fleet.Contracts;
using ModernBert.Inference;
using Prometheus;
using TorchSharp;

namespace ModernBert.Worker;

/// <summary>
/// One device of the worker: its own model copy (<see cref="ModelCache"/>), its own turn to queue batches and its own
/// transfers, so that devices run side by side. An error on this device (out of memory included, which the runner
/// handles by halving) fails only the batch that met it. Disposing it waits for the batch running on the device: a model
/// freed under a forward pass (the host stopping on SIGTERM, say) would take the process down.
/// </summary>
/// <param name="watchdog">Watches this loop's batches; null: they are not watched.</param>
public sealed class DeviceLoop(string name, ModelCache models, WorkerOptions options, WorkerMetrics metrics, BatchWatchdog? watchdog, ILogger logger)
    : IDisposable
{
    private readonly SemaphoreSlim _turn = new(1, 1);
    // Batches on the device hold it for reading, Dispose for writing. Not disposed itself: a batch may still be waiting.
    private readonly ReaderWriterLockSlim _running = new(LockRecursionPolicy.NoRecursion);
    private bool _disposed;
    private int _batches;

    /// <summary>The device's name (cpu, cuda:N), its metrics' <c>device</c> label; a second loop on one device gets a suffix.</summary>
    public string Name => name;

    public ModelCache Models => models;

    /// <summary>Batches this loop has been given and not finished.</summary>
    public int Batches => Volatile.Read(ref _batches);

    /// <summary>
    /// One result per chunk, in order (see <see cref="InferenceRunner.Run"/>). The watchdog watches the batch (named by
    /// <paramref name="batch"/>) once its model is in hand: a first download of the model may take far longer than a
    /// batch on the device, and has its own retries and timeouts.
    /// </summary>
    public async Task<IReadOnlyList<ChunkResult>> RunAsync(JobSpec spec, DocumentChunk[] chunks, string batch, CancellationToken cancellationToken)
    {
        using ModelLease model = await models.AcquireAsync(spec, cancellationToken);
        using (watchdog?.Watch($"{batch} on {name}"))
        using (metrics.BatchSeconds.WithLabels(name).NewTimer())
        {
            var runner = new InferenceRunner(model.Model, options.BatchTokens, logger, _turn);
            IReadOnlyList<ChunkResult> results = await Task.Run(() =>
            {
                _running.EnterReadLock();
                try
                {
                    ObjectDisposedException.ThrowIf(_disposed, this);
                    IReadOnlyList<ChunkResult> run = runner.Run(chunks, cancellationToken);
                    if (models.Device.type == DeviceType.CPU)
                        HostMemory.ReturnFreed();
                    return run;
                }
                finally
                {
                    _running.ExitReadLock();
                }
            }, cancellationToken);
            metrics.Tokens.WithLabels(name).Inc(chunks.Sum(chunk => (double)chunk.InputIds.Length));
            return results;
        }
    }

    /// <summary>Counts a batch as this loop's until the returned handle is disposed.</summary>
    internal IDisposable Take()
    {
        Interlocked.Increment(ref _batches);
        return new Release(this);
    }

    public void Dispose()
    {
        _running.EnterWriteLock();
        try
        {
            if (_disposed)
                return;
            _disposed = true;
            models.Dispose();
        }
        finally
        {
            _running.ExitWriteLock();
        }
    }

    private sealed class Release(DeviceLoop loop) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
                Interlocked.Decrement(ref loop._batches);
        }
    }
}
