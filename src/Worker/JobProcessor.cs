using Microsoft.Extensions.Logging;
using ModernBert.Documents;
using ModernBert.Fleet;
using ModernBert.Fleet.Contracts;
using ModernBert.Inference;
using ModernBert.Outputs;
using ModernBert.Storage;
using Prometheus;

namespace ModernBert.Worker;

/// <summary>
/// What a batch came to for one run, for that run's coordinator (its events queue): the jobs given up, and the commit
/// of the others (none when every job of the run was given up).
/// </summary>
public sealed record RunReport(string EventsQueue, IReadOnlyList<JobsFailed> Failed, JobsCommitted? Committed);

/// <summary>
/// Turns a batch of jobs into committed results: reads payloads, runs the documents through the model on the least
/// busy device loop (batches given to one device queue on it one after the other), commits each run's rows as one
/// row group, and returns a report per run. Only after those are sent may the jobs be acknowledged.
/// </summary>
public sealed class JobProcessor(
    DeviceLoops devices, ResultWriters writers, ObjectStoreFactory stores, WorkerIdentity identity, WorkerMetrics metrics,
    ILogger<JobProcessor> logger)
{
    public async Task<IReadOnlyList<RunReport>> ProcessAsync(IReadOnlyList<InferenceJob> jobs, CancellationToken cancellationToken)
    {
        var reports = new List<RunReport>();
        foreach (IGrouping<(string RunId, JobSpec Spec, string Queue), InferenceJob> run in jobs.GroupBy(job => (job.RunId, job.Spec, job.EventsQueue)))
        {
            try
            {
                if (await writers.IsClosedAsync(run.Key.Spec, cancellationToken))
                {
                    LogLateDuplicates(run.Key.RunId, run.Count());
                    continue;
                }
            }
            catch (Exception e) when (e is StorageFailureException or StorageLocationException)
            {
                // An output this worker cannot reach (a container deleted, no account for it): each job would fault alone.
                reports.Add(new RunReport(run.Key.Queue, [FailJobs(run.Key.RunId, [.. run.Select(job => job.JobId)], e)], null));
                continue;
            }
            var loaded = new List<(InferenceJob Job, DocumentChunk[] Documents)>();
            var failed = new List<JobsFailed>();
            foreach (InferenceJob job in run)
            {
                try
                {
                    loaded.Add((job, job.Documents is { } documents
                        ? documents.Select(JobContract.ToDomain).ToArray()
                        : await JobPayloads.ReadAsync(stores, job.PayloadLocation!, cancellationToken)));
                }
                catch (Exception e) when (e is ObjectNotFoundException or InvalidDataException or StorageLocationException or StorageFailureException)
                {
                    logger.LogError("Job {Job} of run {Run} failed: {Reason}", job.JobId, job.RunId, e.Message);
                    metrics.JobsFailed.Inc();
                    failed.Add(new JobsFailed { RunId = job.RunId, WorkerId = identity.Id, JobIds = [job.JobId], Reason = e.Message });
                }
            }
            JobsCommitted? committed = null;
            try
            {
                if (loaded.Count > 0)
                {
                    committed = await ProcessRunAsync(run.Key.RunId, run.Key.Spec, loaded, cancellationToken);
                    if (committed is null)
                    {
                        LogLateDuplicates(run.Key.RunId, run.Count());
                        continue;
                    }
                }
            }
            catch (StorageFailureException e)
            {
                failed.Add(FailJobs(run.Key.RunId, [.. loaded.Select(job => job.Job.JobId)], e));
            }
            reports.Add(new RunReport(run.Key.Queue, failed, committed));
        }
        return reports;
    }

    // Out of space, denied access and the like: retrying the batch would only fail again, so its jobs fail now.
    private JobsFailed FailJobs(string runId, long[] jobIds, Exception failure)
    {
        logger.LogError("Jobs {Jobs} of run {Run} failed: {Reason}", string.Join(", ", jobIds), runId, failure.Message);
        metrics.JobsFailed.Inc(jobIds.Length);
        return new JobsFailed { RunId = runId, WorkerId = identity.Id, JobIds = jobIds, Reason = failure.Message };
    }

    private void LogLateDuplicates(string runId, int jobs) =>
        logger.LogWarning("Run {Run} is closed (its finalization has begun); dropping {Count} late duplicate job(s)", runId, jobs);

    /// <summary>The batch's commit, or null when the run was closed while the batch ran on the device.</summary>
    private async Task<JobsCommitted?> ProcessRunAsync(string runId, JobSpec spec, List<(InferenceJob Job, DocumentChunk[] Documents)> jobs,
        CancellationToken cancellationToken)
    {
        DocumentChunk[] chunks = jobs.SelectMany(job => job.Documents).ToArray();
        DeviceLoop device = devices.Take(out IDisposable taken);
        IReadOnlyList<ChunkResult> results;
        using (taken)
            results = await device.RunAsync(spec, chunks, $"The batch of jobs {string.Join(", ", jobs.Select(job => job.Job.JobId))} of run {runId}",
                cancellationToken);

        var rows = new List<ResultRow>(results.Count);
        var jobRows = new List<(long JobId, int Start, int Count, int Tokens)>();
        var failed = new List<FailedDocument>();
        int next = 0;
        foreach ((InferenceJob job, DocumentChunk[] documents) in jobs)
        {
            int start = rows.Count;
            for (int end = next + documents.Length; next < end; next++)
            {
                ChunkResult result = results[next];
                if (result.Succeeded)
                    rows.Add(result.Row);
                else
                    failed.Add(new FailedDocument(job.JobId, result.Chunk.Id, result.Chunk.Chunk, result.Failure));
            }
            jobRows.Add((job.JobId, start, rows.Count - start, documents.Sum(document => document.InputIds.Length)));
        }

        // Checked again now: the run may have been closed while the batch ran (a batch redelivered after its worker was
        // lost, taken just before the run's last commit arrived, or a frozen worker that thawed). The commit checks too.
        if (await writers.IsClosedAsync(spec, cancellationToken))
            return null;
        PartCommit? commit = null;
        if (rows.Count > 0 && (commit = await writers.CommitAsync(spec, rows, cancellationToken)) is null)
            return null;
        metrics.JobsDone.WithLabels(device.Name).Inc(jobs.Count);
        metrics.DocumentsFailed.WithLabels(device.Name).Inc(failed.Count);
        foreach (FailedDocument failure in failed)
            logger.LogWarning("Document {Id} (chunk {Chunk}) of job {Job} failed: {Reason}", failure.Id, failure.Chunk, failure.JobId, failure.Reason);
        return new JobsCommitted
        {
            RunId = runId,
            WorkerId = identity.Id,
            FileKey = commit?.Key,
            CommittedLength = commit?.CommittedLength ?? 0,
            Jobs = jobRows.Select(job => new JobRows(job.JobId, (commit?.FirstRow ?? 0) + job.Start, job.Count, job.Tokens)).ToArray(),
            FailedDocuments = failed.ToArray(),
        };
    }
}
