using Azure.Storage.Blobs;
using ModernBert.Tests.Common;

namespace ModernBert.IntegrationTests.Storage;

/// <summary>Fresh containers on an Azurite service, one per test, through clients that do not retry (as in production).</summary>
internal static class AzuriteContainers
{
    public static BlobServiceClient Service(AzuriteServer azurite)
    {
        var options = new BlobClientOptions();
        options.Retry.MaxRetries = 0;
        return new BlobServiceClient(azurite.ConnectionString, options);
    }

    public static async Task<BlobContainerClient> CreateAsync(AzuriteServer azurite)
    {
        BlobContainerClient container = Service(azurite).GetBlobContainerClient($"test-{Guid.NewGuid():N}");
        await container.CreateAsync(cancellationToken: TestContext.Current.CancellationToken);
        return container;
    }
}
