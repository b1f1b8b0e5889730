using ModernBert.Coordinator.Runs;
using ModernBert.Fleet.Contracts;
using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Tasks.Embed;

namespace ModernBert.Tests.Runs;

/// <summary>Specs and events of a test run, as the coordinator records them.</summary>
internal static class RunSamples
{
    public const string RunId = "run-test";

    public static JobsCommittedEvent Commit(string? fileKey, long committedLength, params JobRows[] jobs) =>
        Commit(fileKey, committedLength, jobs, []);

    public static JobsCommittedEvent Commit(string? fileKey, long committedLength, JobRows[] jobs, FailedDocument[] failedDocuments) =>
        new(new JobsCommitted
        {
            RunId = RunId,
            WorkerId = "worker-1",
            FileKey = fileKey,
            CommittedLength = committedLength,
            Jobs = jobs,
            FailedDocuments = failedDocuments,
        });

    public static JobsPublishedEvent Published(long first, int count) => new(first, count);

    public static PlanningFinishedEvent Planned(long jobs) => new(jobs, Documents: 3 * jobs, Chunks: 4 * jobs, Tokens: 100 * jobs, Rejected: 2,
        PackingEfficiency: 0.875);

    public static RunSpec Spec(string outputLocation) => new()
    {
        RunId = RunId,
        Inputs = ["/data/corpus/*.jsonl"],
        JobTokens = 8192,
        WindowOverlap = 0,
        LookAheadChunks = 4096,
        LookAheadTokens = 4L << 20,
        CreatedAt = new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero),
        Job = new JobSpec
        {
            Task = EmbedTask.Instance.Name,
            TaskOptions = EmbedTask.Instance.Configure(new EmbedOptions(PoolingMode.Mean, Normalize: true, Dimensions: 32)).OptionsJson,
            Model = "answerdotai/ModernBERT-base",
            Revision = "abc123",
            OutputLocation = outputLocation,
        },
    };

    /// <summary>A state after applying <paramref name="events"/> in order.</summary>
    public static RunState State(params RunJournalEvent[] events)
    {
        var state = new RunState();
        foreach (RunJournalEvent journalEvent in events)
            state.Apply(journalEvent);
        return state;
    }
}
