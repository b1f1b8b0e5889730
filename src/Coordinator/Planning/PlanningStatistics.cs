namespace ModernBert.Coordinator.Planning;

/// <summary>
/// Running counts of one planning pass. One thread updates them; any thread may read them while planning goes on.
/// Chunks and tokens count those in jobs already planned, not those still in the packer's buffer.
/// </summary>
public sealed class PlanningStatistics(int jobTokens)
{
    private long _documentsRead;
    private long _documentsRejected;
    private long _documentsSplit;
    private long _chunks;
    private long _tokens;
    private long _jobs;

    /// <summary>The job size the efficiency is measured against.</summary>
    public int JobTokens { get; } = jobTokens;

    /// <summary>Input records read, rejected ones included.</summary>
    public long DocumentsRead => Interlocked.Read(ref _documentsRead);

    public long DocumentsRejected => Interlocked.Read(ref _documentsRejected);

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

    internal void CountRejected()
    {
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
        $"{DocumentsRead} documents read ({DocumentsRejected} rejected, {DocumentsSplit} split), {Chunks} chunks, " +
        $"{Tokens} tokens in {Jobs} jobs of {JobTokens} tokens: packing efficiency {PackingEfficiency:P2}";
}
