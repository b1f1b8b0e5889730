using MassTransit;
using ModernBert.Fleet;
using ModernBert.Fleet.Contracts;

namespace ModernBert.Worker;

/// <summary>
/// Takes jobs in batches, has <see cref="JobProcessor"/> commit their results, and sends the resulting events to each
/// run's coordinator (through the broker resilience pipeline) before returning, after which MassTransit acknowledges
/// the jobs.
/// </summary>
public sealed class InferenceJobConsumer(JobProcessor processor, BrokerResilience broker) : IConsumer<Batch<InferenceJob>>
{
    public async Task Consume(ConsumeContext<Batch<InferenceJob>> context)
    {
        InferenceJob[] jobs = context.Message.Select(message => message.Message).ToArray();
        foreach (RunEvent runEvent in await processor.ProcessAsync(jobs, context.CancellationToken))
        {
            ISendEndpoint endpoint = await context.GetSendEndpoint(new Uri($"queue:{runEvent.Queue}"));
            await broker.Pipeline.ExecuteAsync(async token =>
                await endpoint.Send(runEvent.Message, runEvent.Message.GetType(), token), context.CancellationToken);
        }
    }
}
