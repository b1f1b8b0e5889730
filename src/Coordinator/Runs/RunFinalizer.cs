using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using ModernBert.Fleet;
using ModernBert.Outputs;
using ModernBert.Storage;
using ModernBert.Tasks;

namespace ModernBert.Coordinator.Runs;

/// <summary>
/// Ends a run: closes it to commits (_CLOSED, then every part file sealed, so that no late commit can change a file
/// after it is read), makes every part file hold exactly the rows the run accepted (rewriting files with duplicate
/// jobs' rows or commits a crashed worker never reported), deletes files of abandoned attempts, writes the manifest,
/// and writes _SUCCESS last. A failed run gets a manifest without files and its part files stay as they are, for the run
/// to be resumed: workers may still be committing to them, and reports of their commits may still be queued. Safe to
/// run again after a crash part-way.
/// </summary>
public sealed class RunFinalizer(IObjectStore output, ParquetCompression compression, ILogger<RunFinalizer> logger)
{
    private const string FinalSuffix = ".final.parquet";
    private const int ConcurrentSeals = 16;

    public async Task<RunManifest> FinalizeAsync(RunSpec spec, RunState state, RunStatus status, string? reason, CancellationToken cancellationToken)
    {
        ResultSchema schema = InferenceTasks.Configure(spec.Job.Task, spec.Job.TaskOptions).Schema;
        IReadOnlyList<ManifestFile> files = status == RunStatus.Failed ? [] : await SettleFilesAsync(state, schema, cancellationToken);
        var manifest = new RunManifest(spec.RunId, status, reason, spec.Job.Task, spec.Job.Model,
            spec.CreatedAt, DateTimeOffset.UtcNow,
            new ManifestCounts(state.Planning?.Jobs ?? state.PublishedCount, state.FailedCount, state.RowsDone, state.TokensDone,
                state.FailedDocuments.Count, state.RejectedCount, state.Planning?.PackingEfficiency ?? 0),
            files,
            state.FailedJobs.OrderBy(job => job.Key).Select(job => new ManifestFailedJob(job.Key, job.Value)).ToList(),
            state.FailedDocuments,
            state.Rejected.Select(rejected => new ManifestRejection(rejected.Origin, rejected.Reason)).ToList(),
            JsonNode.Parse(spec.Job.TaskOptions));
        await output.WriteAsync(RunOutput.Manifest, JsonSerializer.SerializeToUtf8Bytes(manifest, RunJournalJson.Options), cancellationToken);
        if (status != RunStatus.Failed)
            await output.WriteAsync(RunOutput.SuccessMarker, Array.Empty<byte>(), cancellationToken);
        return manifest;
    }

    // The part files holding exactly the accepted rows; every other part file is deleted.
    private async Task<List<ManifestFile>> SettleFilesAsync(RunState state, ResultSchema schema, CancellationToken cancellationToken)
    {
        // A worker checks _CLOSED before each commit and after creating a file, so a file it starts later than this
        // listing is one it deletes itself; the files listed are sealed before their lengths are read.
        await output.WriteAsync(RunOutput.ClosedMarker, Array.Empty<byte>(), cancellationToken);
        List<ObjectInfo> parts = await output.ListAsync(RunOutput.PartsPrefix, cancellationToken).ToListAsync(cancellationToken);
        string? unsealed = null;
        await Parallel.ForEachAsync(parts, new ParallelOptions { MaxDegreeOfParallelism = ConcurrentSeals, CancellationToken = cancellationToken },
            async (part, token) =>
            {
                if (!await output.SealAsync(part.Key, token))
                    unsealed = part.Key;
            });
        if (unsealed != null)
            logger.LogWarning("The output storage cannot seal part files (it refused {File}); they stay appendable, so a late " +
                "duplicate commit can still reach one after this run reads it", output.Describe(unsealed));

        var files = new List<ManifestFile>();
        foreach (PartFileState file in state.Files.Where(file => file.Accepted.Count > 0).OrderBy(file => file.Key, StringComparer.Ordinal))
            files.Add(await SettleAsync(file, schema, cancellationToken));

        var listed = files.Select(file => file.Path).ToHashSet(StringComparer.Ordinal);
        foreach (ObjectInfo part in parts)
        {
            if (listed.Contains(part.Key))
                continue;
            logger.LogInformation("Deleting {File}: no row of it belongs to the run", output.Describe(part.Key));
            await output.DeleteAsync(part.Key, cancellationToken);
        }
        return files;
    }

    // The accepted rows of a file, as a file that holds them and nothing else.
    private async Task<ManifestFile> SettleAsync(PartFileState file, ResultSchema schema, CancellationToken cancellationToken)
    {
        List<AcceptedJob> accepted = file.Accepted.OrderBy(job => job.FirstRow).ToList();
        long rows = accepted.Sum(job => (long)job.RowCount);
        long[] jobs = accepted.Select(job => job.JobId).Order().ToArray();
        string final = file.Key[..^".parquet".Length] + FinalSuffix;

        long? length = await output.GetLengthAsync(file.Key, cancellationToken);
        if (length == null)
        {
            // A previous finalization already rewrote this file and deleted the source.
            long finalLength = await output.GetLengthAsync(final, cancellationToken)
                ?? throw new InvalidDataException($"{output.Describe(file.Key)} holds accepted rows of the run but no longer exists.");
            return new ManifestFile(final, finalLength, rows, jobs);
        }

        PartFileReader reader = await PartFileReader.OpenAsync(output, file.Key, file.CommittedLength, schema, cancellationToken);
        if (reader.RowCount == rows && length == file.CommittedLength)
            return new ManifestFile(file.Key, file.CommittedLength, rows, jobs);

        logger.LogInformation("Rewriting {File}: keeping {Rows} of {Total} committed rows ({Bytes} of {Length} bytes reported)",
            output.Describe(file.Key), rows, reader.RowCount, file.CommittedLength, length);
        PartFileRewrite rewrite = await PartFileRewriter.RewriteAsync(output, file.Key, file.CommittedLength, schema,
            accepted.Select(job => new RowRange(job.FirstRow, job.RowCount)).ToList(), final, compression, cancellationToken);
        await output.SealAsync(rewrite.Key, cancellationToken);
        await output.DeleteAsync(file.Key, cancellationToken);
        return new ManifestFile(rewrite.Key, rewrite.Length, rewrite.RowCount, jobs);
    }
}
