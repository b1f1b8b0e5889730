using ModernBert.Fleet.Contracts;

namespace ModernBert.Coordinator.Runs;

/// <summary>Where a job's accepted rows live: a range of a part file.</summary>
public sealed record AcceptedJob(long JobId, long FirstRow, int RowCount);

/// <summary>A part file as the run knows it: its longest reported length and the rows the run keeps from it.</summary>
public sealed class PartFileState(string key)
{
    public string Key { get; } = key;

    /// <summary>The file's length after the last commit a worker reported; later bytes were never reported.</summary>
    public long CommittedLength { get; set; }

    public List<AcceptedJob> Accepted { get; } = [];
}

/// <summary>
/// A run's progress, rebuilt by replaying its journal: which jobs were published, committed (and where) or failed,
/// which inputs were rejected, and whether planning and the run are finished. The first commit of a job is the one
/// kept; a later duplicate (a job redelivered after a crash) is recorded as rows to leave out. Not thread-safe.
/// </summary>
public sealed class RunState
{
    public const int MaxListedRejections = 10_000;

    private readonly JobSet _published = new();
    private readonly JobSet _done = new();
    private readonly Dictionary<long, string> _failed = [];
    private readonly Dictionary<string, PartFileState> _files = new(StringComparer.Ordinal);
    private readonly List<FailedDocument> _failedDocuments = [];
    private readonly List<InputRejectedEvent> _rejected = [];

    // Failed jobs that are also published, kept as events apply so that Outstanding, read on every event, costs O(1).
    private long _failedPublished;

    public long PublishedCount => _published.Count;
    public long DoneCount => _done.Count;
    public long FailedCount => _failed.Count;
    public long RejectedCount { get; private set; }
    public long RowsDone { get; private set; }
    public long TokensDone { get; private set; }
    public PlanningFinishedEvent? Planning { get; private set; }
    public RunFinishedEvent? Finished { get; private set; }

    public IReadOnlyDictionary<long, string> FailedJobs => _failed;
    public IReadOnlyCollection<PartFileState> Files => _files.Values;
    public IReadOnlyList<FailedDocument> FailedDocuments => _failedDocuments;

    /// <summary>The first <see cref="MaxListedRejections"/> rejected inputs; <see cref="RejectedCount"/> counts all.</summary>
    public IReadOnlyList<InputRejectedEvent> Rejected => _rejected;

    /// <summary>Jobs published and neither committed nor failed.</summary>
    public long Outstanding => _published.Count - _done.Count - _failedPublished;

    /// <summary>Every planned job is committed or failed.</summary>
    public bool IsComplete => Planning != null && _done.Count + _failed.Count >= Planning.Jobs;

    /// <summary>How many jobs the journal has heard of: one past the highest published, committed or failed (jobs count from 0).</summary>
    public long JobsKnown => Math.Max(Math.Max(_published.End, _done.End), _failed.Count == 0 ? 0 : _failed.Keys.Max() + 1);

    public bool IsPublished(long job) => _published.Contains(job);

    public bool IsDone(long job) => _done.Contains(job);

    /// <summary>Done, or failed after the workers' retries: a resumed run does not send it again.</summary>
    public bool IsFinished(long job) => _done.Contains(job) || _failed.ContainsKey(job);

    /// <summary>
    /// Takes the jobs published but neither committed nor failed for never published: sent over a queue that is gone
    /// (an earlier process's in-process queue), they are sent again, and are not outstanding until then.
    /// </summary>
    public void ForgetUnfinishedPublications() => _published.RemoveAll(job => !IsFinished(job));

    public void Apply(RunJournalEvent journalEvent)
    {
        switch (journalEvent)
        {
            case JobsPublishedEvent published:
                for (long job = published.First; job < published.First + published.Count; job++)
                {
                    if (_published.Add(job) && _failed.ContainsKey(job))
                        _failedPublished++;
                }
                break;
            case JobsCommittedEvent committed:
                ApplyCommit(committed.Commit);
                break;
            case JobsFailedEvent failed:
                foreach (long job in failed.JobIds.Where(job => !_done.Contains(job)))
                {
                    if (_failed.TryAdd(job, failed.Reason) && _published.Contains(job))
                        _failedPublished++;
                }
                break;
            case InputRejectedEvent rejected:
                if (++RejectedCount <= MaxListedRejections)
                    _rejected.Add(rejected);
                break;
            case PlanningFinishedEvent planning:
                Planning = planning;
                break;
            case RunFinishedEvent finished:
                Finished = finished;
                break;
        }
    }

    private void ApplyCommit(JobsCommitted commit)
    {
        PartFileState? file = null;
        if (commit.FileKey != null)
        {
            file = _files.TryGetValue(commit.FileKey, out PartFileState? known) ? known : _files[commit.FileKey] = new PartFileState(commit.FileKey);
            file.CommittedLength = Math.Max(file.CommittedLength, commit.CommittedLength);
        }
        foreach (JobRows job in commit.Jobs)
        {
            if (!_done.Add(job.JobId))
                continue;
            if (_failed.Remove(job.JobId) && _published.Contains(job.JobId))
                _failedPublished--;
            _published.Add(job.JobId);
            RowsDone += job.RowCount;
            TokensDone += job.Tokens;
            if (job.RowCount > 0)
                file!.Accepted.Add(new AcceptedJob(job.JobId, job.FirstRow, job.RowCount));
            _failedDocuments.AddRange(commit.FailedDocuments.Where(document => document.JobId == job.JobId));
        }
    }
}
