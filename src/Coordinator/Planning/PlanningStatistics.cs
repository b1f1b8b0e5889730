namespace ModernBert.Coordinator.Planning;

/// <summary>
/// Running counts of one planning pass. One thread updates them; any thread may read them while planning goes on.
/// Chunks and tokens count those in jobs already planned, not those still in the packer's buffer.
/// </summary>
public sealed class PlanningStatistics(int jobTokens)
{
    private long _documentsRead;
    private long _documentsRejected;
    private long _inputsUnread;
    private long _documentsSplit;
    private long _chunks;
    private long _tokens;
    private long _jobs;

    /// <summary>The job size the efficiency is measured against.</summary>
    public int JobTokens { get; } = jobTokens;

    /// <summary>Input records read, rejected ones included.</summary>
    public long DocumentsRead => Interlocked.Read(ref _documentsRead);

    public long DocumentsRejected => Interlocked.Read(ref _documentsRejected);

    /// <summary>Inputs whose rest could not be read (a corrupt gzip, say): an unknown number of documents, none counted as read.</summary>
    public long InputsUnread => Interlocked.Read(ref _inputsUnread);

    /// <summary>Documents longer than a window, hence split into several chunks.</summary>
    public long DocumentsSplit => Interlocked.Read(ref _documentsSplit);

    public long Chunks => Interlocked.Read(ref _chunks);

    /// <summary>Tokens in the jobs planned, [CLS] and [SEP] included.</summary>
    public long Tokens => Interlocked.Read(ref _tokens);

    public long Jobs => Interlocked.Read(ref _jobs);

    /// <summary>Tokens / (jobs × job size): the share of the jobs' capacity that holds real tokens; 0 before the first job.</summary>
    public double PackingEfficiency
    {
        get
        {
            long jobs = Jobs;
            return jobs == 0 ? 0 : (double)Tokens / ((double)jobs * JobTokens);
        }
    }

    internal void CountAccepted(int chunks)
    {
        Interlocked.Increment(ref _documentsRead);
        if (chunks > 1)
            Interlocked.Increment(ref _documentsSplit);
    }

    internal void CountRejected(bool restUnread)
    {
        if (restUnread)
        {
            Interlocked.Increment(ref _inputsUnread);
            return;
        }
        Interlocked.Increment(ref _documentsRead);
        Interlocked.Increment(ref _documentsRejected);
    }

    internal void CountJob(PackedJob job)
    {
        Interlocked.Add(ref _chunks, job.Chunks.Count);
        Interlocked.Add(ref _tokens, job.TokenCount);
        Interlocked.Increment(ref _jobs);
    }

    public override string ToString() =>
        $"{Counted.Of(DocumentsRead, "document")} read ({DocumentsRejected} rejected, {DocumentsSplit} split)" +
        (InputsUnread > 0 ? $" and the unreadable rest of {Counted.Of(InputsUnread, "input")}" : "") +
        $", {Counted.Of(Chunks, "chunk")}, {Tokens} tokens in {Counted.Of(Jobs, "job")} of {JobTokens} tokens: packing efficiency {PackingEfficiency:P2}";
}
