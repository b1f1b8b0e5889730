using System.Collections.Concurrent;
using ModernBert.Fleet;
using ModernBert.Fleet.Contracts;
using ModernBert.Outputs;
using ModernBert.Storage;
using ModernBert.Tasks;

namespace ModernBert.Worker;

/// <summary>
/// This worker's rolling part writer for each run it has taken jobs of, under the run's output location. Commits
/// to one run's files happen one at a time; different runs' in parallel.
/// </summary>
public sealed class ResultWriters(ObjectStoreFactory stores, OutputOptions output, WorkerIdentity identity)
{
    private readonly ConcurrentDictionary<string, RunWriter> _writers = new(StringComparer.Ordinal);

    public async Task<PartCommit> CommitAsync(JobSpec spec, IReadOnlyList<ResultRow> rows, CancellationToken cancellationToken)
    {
        RunWriter run = _writers.GetOrAdd(spec.OutputLocation, _ => Create(spec));
        await run.Lock.WaitAsync(cancellationToken);
        try
        {
            return await run.Writer.CommitAsync(rows, cancellationToken);
        }
        finally
        {
            run.Lock.Release();
        }
    }

    /// <summary>Whether the run has been finalized (its _SUCCESS marker exists): its late duplicates are dropped.</summary>
    public async Task<bool> IsFinalizedAsync(JobSpec spec, CancellationToken cancellationToken) =>
        await stores.OpenFolder(StoreLocation.Parse(spec.OutputLocation)).GetLengthAsync(RunOutput.SuccessMarker, cancellationToken) != null;

    private RunWriter Create(JobSpec spec)
    {
        IObjectStore store = stores.OpenFolder(StoreLocation.Parse(spec.OutputLocation));
        ConfiguredTask task = InferenceTasks.Configure(spec.Task, spec.TaskOptions);
        var writer = new RollingPartWriter(store, RunOutput.PartsPrefix, identity.Id, task.Schema, output,
            ResultFileMetadata.Create(spec.Model, task.Name));
        return new RunWriter(writer, new SemaphoreSlim(1, 1));
    }

    private sealed record RunWriter(RollingPartWriter Writer, SemaphoreSlim Lock);
}
