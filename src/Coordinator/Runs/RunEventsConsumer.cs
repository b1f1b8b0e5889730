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

    public Task Consume(ConsumeContext<Fault<InferenceJob>> context)
    {
        string reason = string.Join("; ", context.Message.Exceptions.Select(e => $"{e.ExceptionType}: {e.Message}"));
        return tracker.RecordAsync(new JobsFailedEvent([context.Message.Message.JobId], $"failed after retries: {reason}"));
    }
}
