using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using ModernBert.Storage;

namespace ModernBert.Coordinator.Runs;

/// <summary>
/// Appends a run's events to its journal, one JSON line each, in segments <c>journal/NNNNNN.jsonl</c> of an object
/// store. Appends are grouped: <see cref="AppendAsync"/> completes once its event is durable, together with the
/// others that arrived meanwhile. A segment is never appended to after a restart (the last append may have torn its
/// end): a new process starts the next one. Segments roll before an append blob's 50,000-block limit. Every append is
/// conditional on the segment's length, so a second writer cannot interleave: an append that finds another writer's
/// data, or that comes after the run's lease is lost, fails. A failed append closes the journal: every later one fails
/// with its cause (a <see cref="StorageFailureException"/> where the store failed), as the run's tracker applied the
/// failed events before writing them, and a journal that went on without them would replay into another state than
/// the one the run goes on with (and settles its files by). The run fails; a resume replays what is durable.
/// </summary>
public sealed class RunJournal : IAsyncDisposable
{
    public const string Prefix = "journal/";
    public const string SegmentSuffix = ".jsonl";
    public const int DefaultMaxAppendsPerSegment = 20_000;
    public const long DefaultMaxSegmentBytes = 64L * 1024 * 1024;

    private readonly IObjectStore _store;
    private readonly string _runPrefix;
    // An item without an event is a flush.
    private readonly Channel<(RunJournalEvent? Event, TaskCompletionSource Durable)> _pending =
        Channel.CreateUnbounded<(RunJournalEvent?, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;
    private readonly int _maxAppendsPerSegment;
    private readonly long _maxSegmentBytes;
    private readonly CancellationToken _leaseLost;
    private Exception? _closedBy;
    private int _segment;
    private long _offset;
    private int _appends;

    /// <param name="maxAppendsPerSegment">Appends after which the next segment starts (below an append blob's 50,000 blocks).</param>
    /// <param name="maxSegmentBytes">Bytes beyond which a non-empty segment takes no more appends.</param>
    /// <param name="leaseLost">The run's lease's <see cref="IObjectLease.Lost"/>: no append starts after it, and one under way is cancelled.</param>
    public RunJournal(IObjectStore store, string runPrefix, int firstSegment, int maxAppendsPerSegment = DefaultMaxAppendsPerSegment,
        long maxSegmentBytes = DefaultMaxSegmentBytes, CancellationToken leaseLost = default)
    {
        _leaseLost = leaseLost;
        _store = store;
        _runPrefix = runPrefix;
        _segment = firstSegment;
        _maxAppendsPerSegment = maxAppendsPerSegment;
        _maxSegmentBytes = maxSegmentBytes;
        _writer = Task.Run(WriteAsync);
    }

    public static string SegmentKey(string runPrefix, int segment) => $"{runPrefix}{Prefix}{segment:D6}{SegmentSuffix}";

    public Task AppendAsync(RunJournalEvent journalEvent) => Enqueue(journalEvent);

    /// <summary>Completes once every event appended before it has been written (or its write has failed).</summary>
    public Task FlushAsync() => Enqueue(null);

    private Task Enqueue(RunJournalEvent? journalEvent)
    {
        var durable = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.Writer.TryWrite((journalEvent, durable)))
            durable.SetException(new InvalidOperationException("The run journal is closed."));
        return durable.Task;
    }

    public static byte[] Serialize(RunJournalEvent journalEvent) =>
        Encoding.UTF8.GetBytes(JsonSerializer.Serialize(journalEvent, RunJournalJson.Options) + "\n");

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _writer;
    }

    private async Task WriteAsync()
    {
        var batch = new List<(RunJournalEvent? Event, TaskCompletionSource Durable)>();
        while (await _pending.Reader.WaitToReadAsync())
        {
            while (batch.Count < 1000 && _pending.Reader.TryRead(out var item))
                batch.Add(item);
            try
            {
                if (_closedBy != null)
                    throw _closedBy;
                _leaseLost.ThrowIfCancellationRequested();
                using var bytes = new MemoryStream();
                foreach ((RunJournalEvent? journalEvent, _) in batch)
                {
                    if (journalEvent != null)
                        bytes.Write(Serialize(journalEvent));
                }
                if (bytes.Length > 0)
                {
                    if (_appends >= _maxAppendsPerSegment || _offset + bytes.Length > _maxSegmentBytes && _offset > 0)
                        (_segment, _offset, _appends) = (_segment + 1, 0, 0);
                    await _store.AppendAsync(SegmentKey(_runPrefix, _segment), _offset, bytes.ToArray(), _leaseLost);
                    _offset += bytes.Length;
                    _appends++;
                }
                batch.ForEach(item => item.Durable.SetResult());
            }
            catch (Exception e)
            {
                _closedBy ??= e is AppendConflictException or StorageFailureException || _leaseLost.IsCancellationRequested
                    ? e
                    : new StorageFailureException($"Cannot write the journal of run {_runPrefix.TrimEnd('/')}: {StorageFailures.Reason(e)}. " +
                        "The run stops here; resume it once its runs store takes writes again.", e);
                batch.ForEach(item => item.Durable.SetException(_closedBy));
            }
            batch.Clear();
        }
    }
}
