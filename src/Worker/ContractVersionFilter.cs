using MassTransit;
using ModernBert.Fleet.Contracts;

namespace ModernBert.Worker;

/// <summary>
/// Refuses a job of a contract version this worker cannot read before it joins a batch: reports the fault to the
/// job's run (its fault address) and fails the message, which goes to the error queue without retry.
/// </summary>
public sealed class ContractVersionFilter : IFilter<ConsumeContext<InferenceJob>>
{
    public async Task Send(ConsumeContext<InferenceJob> context, IPipe<ConsumeContext<InferenceJob>> next)
    {
        try
        {
            JobContract.EnsureReadable(context.Message);
        }
        catch (ContractVersionException e)
        {
            // A failure outside a consumer faults the receive, whose fault event lacks the job; this one carries it.
            await context.NotifyFaulted(TimeSpan.Zero, nameof(ContractVersionFilter), e);
            throw;
        }
        await next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("contractVersion");
}
