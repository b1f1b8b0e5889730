using ModernBert.Tests.Common;

namespace ModernBert.IntegrationTests.Fleet;

/// <summary>The fleet scenarios share one RabbitMQ and one Azurite (each run has its own queue and containers) and run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class FleetCollection : ICollectionFixture<RabbitMqFixture>, ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Fleet";
}
