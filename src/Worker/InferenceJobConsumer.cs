using MassTransit;
using ModernBert.Fleet.Contracts;

namespace ModernBert.Worker;

/// <summary>
/// Takes jobs in batches, has <see cref="JobProcessor"/> commit their results, and sends the resulting events to each
/// run's coordinator before returning, after which MassTransit acknowledges the jobs.
/// </summary>
public sealed class InferenceJobConsumer(JobProcessor processor) : IConsumer<Batch<InferenceJob>>
{
    public async Task Consume(ConsumeContext<Batch<InferenceJob>> context)
    {
        InferenceJob[] jobs = context.Message.Select(message => message.Message).ToArray();
        foreach (RunEvent runEvent in await processor.ProcessAsync(jobs, context.CancellationToken))
        {
            ISendEndpoint endpoint = await context.GetSendEndpoint(new Uri($"queue:{runEvent.Queue}"));
            await endpoint.Send(runEvent.Message, runEvent.Message.GetType(), context.CancellationToken);
        }
    }
}
