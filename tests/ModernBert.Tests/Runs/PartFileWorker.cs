using ModernBert.Coordinator.Runs;
using ModernBert.Fleet;
using ModernBert.Fleet.Contracts;
using ModernBert.Outputs;
using ModernBert.Storage;
using ModernBert.Tasks.Embed;

namespace ModernBert.Tests.Runs;

/// <summary>
/// Commits jobs' rows to part files under parts/ as a worker does (one row group per commit, rolling files), and
/// gives the <see cref="JobsCommitted"/> event the worker would report. Row k of job j has id "job{j}-row{k}".
/// </summary>
internal sealed class PartFileWorker(IObjectStore output, string workerId)
{
    public const int TokensPerRow = 7;

    private readonly RollingPartWriter _writer = new(output, RunOutput.PartsPrefix, workerId, EmbeddingSchema.Float32,
        new OutputOptions { Compression = ParquetCompression.None });

    public async Task<JobsCommittedEvent> CommitAsync(params (long Job, int Rows)[] jobs)
    {
        PartCommit commit = await _writer.CommitAsync([.. jobs.SelectMany(job => Rows(job.Job, job.Rows))], TestContext.Current.CancellationToken);
        var reported = new List<JobRows>();
        long firstRow = commit.FirstRow;
        foreach ((long job, int rows) in jobs)
        {
            reported.Add(new JobRows(job, firstRow, rows, TokensPerRow * rows));
            firstRow += rows;
        }
        return RunSamples.Commit(commit.Key, commit.CommittedLength, [.. reported], []);
    }

    public static IEnumerable<EmbeddingRow> Rows(long job, int count) =>
        Enumerable.Range(0, count).Select(row => new EmbeddingRow($"job{job}-row{row}", 0, 0, 5, [job, row, 0.5f]));
}
