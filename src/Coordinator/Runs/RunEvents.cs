using System.Text.Json.Serialization;
using ModernBert.Fleet.Contracts;

namespace ModernBert.Coordinator.Runs;

/// <summary>One line of a run's journal. The run's state is the replay of its journal.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(JobsPublishedEvent), "published")]
[JsonDerivedType(typeof(JobsCommittedEvent), "committed")]
[JsonDerivedType(typeof(JobsFailedEvent), "failed")]
[JsonDerivedType(typeof(InputRejectedEvent), "rejected")]
[JsonDerivedType(typeof(PlanningFinishedEvent), "planned")]
[JsonDerivedType(typeof(RunFinishedEvent), "finished")]
public abstract record RunJournalEvent;

/// <summary>Jobs first..first+count-1 were confirmed by the broker.</summary>
public sealed record JobsPublishedEvent(long First, int Count) : RunJournalEvent;

public sealed record JobsCommittedEvent(JobsCommitted Commit) : RunJournalEvent;

public sealed record JobsFailedEvent(long[] JobIds, string Reason) : RunJournalEvent;

/// <summary>An input record that became no job: malformed, a duplicate id, ids outside the vocabulary.</summary>
public sealed record InputRejectedEvent(string Origin, string Reason) : RunJournalEvent;

/// <summary>The whole corpus is planned: the run has exactly <see cref="Jobs"/> jobs.</summary>
public sealed record PlanningFinishedEvent(long Jobs, long Documents, long Chunks, long Tokens, long Rejected, double PackingEfficiency) : RunJournalEvent;

public sealed record RunFinishedEvent(RunStatus Status, string? Reason, DateTimeOffset At) : RunJournalEvent;

[JsonConverter(typeof(JsonStringEnumConverter<RunStatus>))]
public enum RunStatus
{
    [JsonStringEnumMemberName("running")] Running,
    [JsonStringEnumMemberName("completed")] Completed,
    [JsonStringEnumMemberName("completed_with_failures")] CompletedWithFailures,
    [JsonStringEnumMemberName("failed")] Failed,
}
