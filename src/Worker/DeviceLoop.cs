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
/// handles by halving) fails only the batch that met it.
/// </summary>
public sealed class DeviceLoop(string name, ModelCache models, WorkerOptions options, WorkerMetrics metrics, ILogger logger) : IDisposable
{
    private readonly SemaphoreSlim _turn = new(1, 1);
    private int _batches;

    /// <summary>The device's name (cpu, cuda:N), its metrics' <c>device</c> label; a second loop on one device gets a suffix.</summary>
    public string Name => name;

    public ModelCache Models => models;

    /// <summary>Batches this loop has been given and not finished.</summary>
    public int Batches => Volatile.Read(ref _batches);

    /// <summary>One result per chunk, in order (see <see cref="InferenceRunner.Run"/>).</summary>
    public async Task<IReadOnlyList<ChunkResult>> RunAsync(JobSpec spec, DocumentChunk[] chunks, CancellationToken cancellationToken)
    {
        using ModelLease model = await models.AcquireAsync(spec, cancellationToken);
        using (metrics.BatchSeconds.WithLabels(name).NewTimer())
        {
            var runner = new InferenceRunner(model.Model, options.BatchTokens, logger, _turn);
            IReadOnlyList<ChunkResult> results = await Task.Run(() =>
            {
                IReadOnlyList<ChunkResult> run = runner.Run(chunks, cancellationToken);
                if (models.Device.type == DeviceType.CPU)
                    HostMemory.ReturnFreed();
                return run;
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
        models.Dispose();
        _turn.Dispose();
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
