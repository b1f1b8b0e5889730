using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using ModernBert.Resilience;
using Polly;

namespace ModernBert.Fleet;

/// <summary>The resilience pipeline around calls to the broker (<c>Resilience:Broker</c>): publishes and sends.</summary>
public sealed class BrokerResilience(ResiliencePipeline pipeline)
{
    public ResiliencePipeline Pipeline { get; } = pipeline;

    public static BrokerResilience FromConfiguration(IConfiguration configuration, ILogger logger) =>
        new(ResiliencePipelines.CreateBrokerPublish(ResilienceOptions.FromConfiguration(configuration, ResilienceOptions.BrokerSection), logger));
}
