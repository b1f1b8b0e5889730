using Microsoft.Extensions.Logging;
using ModernBert.Coordinator.Planning;
using ModernBert.Inputs;

namespace ModernBert.Coordinator.Runs;

/// <summary>
/// Drives a run from planning to its end: plans the corpus (the same jobs with the same ids on every pass), records
/// rejected inputs, publishes each job not yet done (several at once, keeping at most MaxOutstandingJobs unfinished), then waits for
/// every job to be committed or failed. A resumed run skips finished jobs (committed, or failed after the workers'
/// retries), and on a durable broker also jobs already published, which are still queued.
/// </summary>
public sealed class RunDriver(RunTracker tracker, JobPublisher publisher, CoordinatorOptions options, ILogger<RunDriver> logger)
{
    public async Task RunAsync(RunSpec spec, RunPlanner planner, IReadOnlyList<CorpusObject> corpus, string eventsQueue,
        bool brokerIsDurable, CancellationToken cancellationToken)
    {
        // An in-process queue went with the process that published to it: this one sends their jobs again.
        if (!brokerIsDurable)
            tracker.ForgetUnfinishedPublications();
        bool planned = tracker.Read(state => state.Planning != null);
        long alreadyRejected = tracker.Read(state => state.RejectedCount);
        long rejectedSeen = 0;
        // Sends wait for the broker's confirm: one at a time, a job per round trip would bound the run, whatever the
        // coordinator's cores. Up to PublishesInFlight go at once; a job in flight counts against MaxOutstandingJobs.
        int concurrency = Math.Min(options.PublishesInFlight, options.MaxOutstandingJobs);
        var inFlight = new Queue<Task<Task>>();
        // A lost "published" record only means a job is sent again after a resume, so those are not awaited one by one.
        var unflushed = new Queue<Task>();

        await foreach (PlannedItem item in planner.PlanAsync(corpus, cancellationToken))
        {
            switch (item)
            {
                case RejectedDocument rejected:
                    if (++rejectedSeen > alreadyRejected)
                    {
                        logger.LogWarning("Skipping {Rejection}", rejected);
                        await tracker.RecordAsync(new InputRejectedEvent(rejected.Origin, rejected.Problem));
                    }
                    break;
                case PackedJob job:
                    if (tracker.Read(state => state.IsFinished(job.JobId) || brokerIsDurable && state.IsPublished(job.JobId)))
                        break;
                    while (inFlight.Count >= concurrency || inFlight.TryPeek(out Task<Task>? oldest) && oldest.IsCompleted)
                        unflushed.Enqueue(await inFlight.Dequeue());
                    await tracker.WaitForCapacityAsync(options.MaxOutstandingJobs - inFlight.Count, cancellationToken);
                    inFlight.Enqueue(PublishAsync(spec, job, eventsQueue, cancellationToken));
                    while (unflushed.Count > 1024)
                        await unflushed.Dequeue();
                    break;
            }
        }
        while (inFlight.Count > 0)
            unflushed.Enqueue(await inFlight.Dequeue());
        await Task.WhenAll(unflushed);

        PlanningStatistics statistics = planner.Statistics;
        // Planning is deterministic: a resume that plans other jobs than the journal holds reads another corpus (an
        // input rewritten since), and its job ids no longer name the documents they named. It must not complete.
        long known = tracker.Read(state => state.Planning?.Jobs ?? state.JobsKnown);
        if (planned ? statistics.Jobs != known : statistics.Jobs < known)
            throw new InvalidDataException($"Run {spec.RunId} now plans {statistics.Jobs} jobs where its journal holds {known}: its inputs " +
                "changed since it was planned (an object rewritten or removed, say), so its jobs no longer hold the same documents. " +
                "It cannot be resumed; start a new run.");
        if (!planned)
            await tracker.RecordAsync(new PlanningFinishedEvent(statistics.Jobs, statistics.DocumentsRead, statistics.Chunks,
                statistics.Tokens, statistics.DocumentsRejected, statistics.PackingEfficiency));
        logger.LogInformation("Planned run {Run}: {Statistics}", spec.RunId, statistics);
        await tracker.WaitForCompletionAsync(options.StallTimeout, cancellationToken);
    }

    /// <summary>Sends the job; then records it published and returns the record's write to the journal.</summary>
    private async Task<Task> PublishAsync(RunSpec spec, PackedJob job, string eventsQueue, CancellationToken cancellationToken)
    {
        await publisher.PublishAsync(spec, job, eventsQueue, cancellationToken);
        return tracker.RecordAsync(new JobsPublishedEvent(job.JobId, 1));
    }
}
