using ModernBert.Tests.Common;

namespace ModernBert.IntegrationTests.Storage;

/// <summary>The test classes that share one Azurite service (each test uses its own container).</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
