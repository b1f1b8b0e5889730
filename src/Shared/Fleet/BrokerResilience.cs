using Polly;

namespace ModernBert.Fleet;

/// <summary>The resilience pipeline around calls to the broker (<c>Resilience:Broker</c>): publishes and sends.</summary>
public sealed class BrokerResilience(ResiliencePipeline pipeline)
{
    public ResiliencePipeline Pipeline { get; } = pipeline;
}
