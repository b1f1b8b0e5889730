using MassTransit;
using ModernBert.Coordinator.Planning;
using ModernBert.Fleet;
using ModernBert.Fleet.Contracts;
using Polly;

namespace ModernBert.Coordinator.Runs;

/// <summary>
/// Sends planned jobs to the job queue with publisher confirms, through the broker resilience pipeline. A job whose
/// documents may serialize to more than the inline limit travels as a payload blob. Faults of a job go to the run's
/// events queue, where the coordinator records them.
/// </summary>
public sealed class JobPublisher(ISendEndpointProvider endpoints, RunStore store, ResiliencePipeline pipeline, BrokerOptions broker,
    long inlinePayloadBytes)
{
    public async Task PublishAsync(RunSpec spec, PackedJob job, string eventsQueue, CancellationToken cancellationToken)
    {
        bool inline = JobPayloads.MaxSerializedBytes(job.Chunks) <= inlinePayloadBytes;
        if (!inline)
            await store.WritePayloadAsync(spec.RunId, job.JobId, JobPayloads.Serialize(job.Chunks), cancellationToken);
        InferenceJob message = JobContract.Job(spec.RunId, job.JobId, spec.Job, eventsQueue, inline ? job.Chunks : null,
            inline ? null : store.PayloadLocation(spec.RunId, job.JobId), job.TokenCount);
        var faultAddress = new Uri($"queue:{eventsQueue}");
        ISendEndpoint endpoint = await endpoints.GetSendEndpoint(new Uri($"queue:{broker.JobQueue}"));
        await pipeline.ExecuteAsync(async token =>
            await endpoint.Send(message, context => context.FaultAddress = faultAddress, token), cancellationToken);
    }
}
