using MassTransit;
using ModernBert.Fleet.Contracts;

namespace ModernBert.Coordinator.Runs;

/// <summary>Records what workers report about the run's jobs; returns (acknowledges) once it is in the journal.</summary>
public sealed class RunEventsConsumer(RunTracker tracker) :
    IConsumer<JobsCommitted>, IConsumer<JobsFailed>, IConsumer<Fault<InferenceJob>>
{
    public Task Consume(ConsumeContext<JobsCommitted> context) => tracker.RecordAsync(new JobsCommittedEvent(context.Message));

    public Task Consume(ConsumeContext<JobsFailed> context) =>
        tracker.RecordAsync(new JobsFailedEvent(context.Message.JobIds, context.Message.Reason));

    /// <summary>A job the worker gave up on: at once for a product error (its message is the reason), else after its retries.</summary>
    public Task Consume(ConsumeContext<Fault<InferenceJob>> context) =>
        tracker.RecordAsync(new JobsFailedEvent([context.Message.Message.JobId], FaultReason(context.Message.Exceptions)));

    public static string FaultReason(IEnumerable<ExceptionInfo> exceptions) => string.Join("; ", exceptions.Select(e =>
        e.ExceptionType.StartsWith($"{nameof(ModernBert)}.", StringComparison.Ordinal) ? e.Message : $"{e.ExceptionType}: {e.Message}"));
}
