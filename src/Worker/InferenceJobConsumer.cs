using MassTransit;
using ModernBert.Fleet;
using ModernBert.Fleet.Contracts;

namespace ModernBert.Worker;

/// <summary>
/// Takes jobs in batches, has <see cref="JobProcessor"/> commit their results, and sends each run's report to its
/// coordinator (through the broker resilience pipeline) before returning, after which MassTransit acknowledges the
/// jobs.
/// </summary>
public sealed class InferenceJobConsumer(JobProcessor processor, BrokerResilience broker, JobIntake intake) : IConsumer<Batch<InferenceJob>>
{
    public async Task Consume(ConsumeContext<Batch<InferenceJob>> context)
    {
        if (intake.IsClosed)
            return;
        InferenceJob[] jobs = context.Message.Select(message => message.Message).ToArray();
        foreach (RunReport report in await processor.ProcessAsync(jobs, context.CancellationToken))
        {
            ISendEndpoint endpoint = await context.GetSendEndpoint(new Uri($"queue:{report.EventsQueue}"));
            foreach (JobsFailed failed in report.Failed)
                await SendAsync(endpoint, failed, context.CancellationToken);
            if (report.Committed is { } committed)
                await SendAsync(endpoint, committed, context.CancellationToken);
        }
    }

    private Task SendAsync<T>(ISendEndpoint endpoint, T message, CancellationToken cancellationToken)
        where T : class =>
        broker.Pipeline.ExecuteAsync(async token => await endpoint.Send(message, token), cancellationToken).AsTask();
}
