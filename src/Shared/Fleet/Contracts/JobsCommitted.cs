namespace ModernBert.Fleet.Contracts;

/// <summary>
/// A worker durably committed the rows of these jobs as one row group of a part file. Rows of a job are contiguous,
/// starting at file-wide row <see cref="JobRows.FirstRow"/>. Sent before the jobs are acknowledged, so a crash in
/// between can deliver a job twice; the coordinator keeps the first commit of each job.
/// </summary>
public sealed record JobsCommitted
{
    public required string RunId { get; init; }

    public required string WorkerId { get; init; }

    /// <summary>The part file, relative to the run's output location; null when no job produced rows.</summary>
    public string? FileKey { get; init; }

    /// <summary>The part file's length after this commit: the prefix that holds every row reported so far.</summary>
    public long CommittedLength { get; init; }

    public required JobRows[] Jobs { get; init; }

    public FailedDocument[] FailedDocuments { get; init; } = [];
}

/// <summary>A job's rows in the part file, and how many tokens its documents held.</summary>
public sealed record JobRows(long JobId, long FirstRow, int RowCount, int Tokens);

/// <summary>A document (or window) the model could not read; the rest of its job went on.</summary>
public sealed record FailedDocument(long JobId, string Id, int Chunk, string Reason);
