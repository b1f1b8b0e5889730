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
public sealed class ResultWriters
{
    private readonly ConcurrentDictionary<string, RunWriter> _writers = new(StringComparer.Ordinal);
    private readonly Func<string, IObjectStore> _openOutput;
    private readonly OutputOptions _output;
    private readonly WorkerIdentity _identity;

    public ResultWriters(ObjectStoreFactory stores, OutputOptions output, WorkerIdentity identity)
        : this(location => stores.OpenFolder(StoreLocation.Parse(location)), output, identity)
    {
    }

    /// <param name="openOutput">Opens a run's output location (a store of the tests' own, there).</param>
    internal ResultWriters(Func<string, IObjectStore> openOutput, OutputOptions output, WorkerIdentity identity)
    {
        _openOutput = openOutput;
        _output = output;
        _identity = identity;
    }

    /// <summary>
    /// Commits the rows to this worker's part file of the run, or returns null when the run is closed: its finalization
    /// has begun, so rows committed now would not be kept.
    /// </summary>
    public async Task<PartCommit?> CommitAsync(JobSpec spec, IReadOnlyList<ResultRow> rows, CancellationToken cancellationToken)
    {
        RunWriter run = _writers.GetOrAdd(spec.OutputLocation, _ => Create(spec));
        await run.Lock.WaitAsync(cancellationToken);
        try
        {
            // A new file is created empty and only then is the run checked: one created before the run closed is
            // listed and sealed by its finalization; one created after is deleted here, unlisted.
            if (await run.Writer.StartFileAsync(cancellationToken) && await IsClosedAsync(run.Store, cancellationToken))
            {
                await run.Writer.DiscardFileAsync(run.Writer.CurrentKey!, cancellationToken);
                return null;
            }
            PartCommit commit;
            try
            {
                commit = await run.Writer.CommitAsync(rows, cancellationToken);
            }
            catch (ObjectSealedException)
            {
                return null; // only a finalization seals part files
            }
            // A first commit that took long (an append retried for minutes, a frozen worker) can land after the run's
            // finalization deleted the file it found empty: the append creates it again, outside the manifest, where a
            // glob over parts/ would read its rows twice. Asked again now, a closed run means the file holds this commit
            // alone, which no report has named yet: it goes.
            if (commit.RowGroupIndex == 0 && await IsClosedAsync(run.Store, cancellationToken))
            {
                await run.Writer.DiscardFileAsync(commit.Key, cancellationToken);
                return null;
            }
            return commit;
        }
        finally
        {
            run.Lock.Release();
        }
    }

    /// <summary>Whether the run is closed (its finalization has begun, or is over): its late duplicates are dropped.</summary>
    public Task<bool> IsClosedAsync(JobSpec spec, CancellationToken cancellationToken) =>
        IsClosedAsync(_openOutput(spec.OutputLocation), cancellationToken);

    // _SUCCESS alone: a run that a coordinator of the release before _CLOSED finalized. Both asked at once, so that a
    // check costs one round trip to the storage, as before.
    private static async Task<bool> IsClosedAsync(IObjectStore output, CancellationToken cancellationToken) =>
        (await Task.WhenAll(output.GetLengthAsync(RunOutput.ClosedMarker, cancellationToken),
            output.GetLengthAsync(RunOutput.SuccessMarker, cancellationToken))).Any(length => length != null);

    private RunWriter Create(JobSpec spec)
    {
        IObjectStore store = _openOutput(spec.OutputLocation);
        ConfiguredTask task = InferenceTasks.Configure(spec.Task, spec.TaskOptions);
        var writer = new RollingPartWriter(store, RunOutput.PartsPrefix, _identity.Id, task.Schema, _output,
            ResultFileMetadata.Create(spec.Model, task.Name));
        return new RunWriter(store, writer, new SemaphoreSlim(1, 1));
    }

    private sealed record RunWriter(IObjectStore Store, RollingPartWriter Writer, SemaphoreSlim Lock);
}
