using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging.Abstractions;
using ModernBert.Resilience;
using ModernBert.Storage;
using ModernBert.Tests.Common;

namespace ModernBert.IntegrationTests.Storage;

/// <summary>Locations written as users write them, resolved by <see cref="ObjectStoreFactory"/> against Azurite.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureLocationTests(AzuriteFixture azurite)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static ObjectStoreFactory Factory(AzuriteServer server) =>
        new(new StorageOptions { Azure = { ConnectionString = server.ConnectionString } }, new ResilienceOptions { MaxRetryAttempts = 1 },
            NullLoggerFactory.Instance);

    private static async Task<BlobContainerClient> ContainerWithAsync(AzuriteServer server, params string[] names)
    {
        BlobContainerClient container = await AzuriteContainers.CreateAsync(server);
        foreach (string name in names)
            await container.UploadBlobAsync(name, BinaryData.FromString(name), Token);
        return container;
    }

    [Fact]
    public async Task AGlobInAnAzLocationListsTheMatchingBlobs()
    {
        AzuriteServer server = await azurite.GetAsync();
        BlobContainerClient container = await ContainerWithAsync(server, "2026-01/part-1.jsonl.gz", "2026-01/part-2.jsonl.gz",
            "2026-02/part-1.jsonl.gz", "2026-02/index.json", "2025-12/part-1.jsonl.gz", "2026-03/deep/part-1.jsonl.gz");

        ObjectListing listing = await Factory(server).ListAsync(StoreLocation.Parse($"az://{container.Name}/2026-*/part-*.jsonl.gz"), Token);

        Assert.Equal(["2026-01/part-1.jsonl.gz", "2026-01/part-2.jsonl.gz", "2026-02/part-1.jsonl.gz"], listing.Objects.Select(item => item.Key));
        Assert.Equal("2026-02/part-1.jsonl.gz"u8.ToArray(), await listing.Store.ReadRangeAsync(listing.Objects[2].Key, 0, 100, Token));
    }

    [Fact]
    public async Task ARecursiveGlobInAnEmulatorUrlMatchesUnderItsFolder()
    {
        AzuriteServer server = await azurite.GetAsync();
        BlobContainerClient container = await ContainerWithAsync(server, "data/a.jsonl", "data/x/b.jsonl", "data/x/y/c.jsonl",
            "data/x/y/c.txt", "database/d.jsonl");

        ObjectListing listing = await Factory(server).ListAsync(StoreLocation.Parse($"{server.BlobEndpoint}/{container.Name}/data/**/*.jsonl"), Token);

        Assert.Equal(["a.jsonl", "x/b.jsonl", "x/y/c.jsonl"], listing.Objects.Select(item => item.Key));
        Assert.Equal($"{container.Uri}/data/x/b.jsonl", listing.Store.Describe("x/b.jsonl"));
    }

    [Fact]
    public async Task ALocationWithoutWildcardsListsTheBlobItNamesOrElseItsFolder()
    {
        AzuriteServer server = await azurite.GetAsync();
        BlobContainerClient container = await ContainerWithAsync(server, "runs/7/rows.parquet", "runs/7/log/a.jsonl", "runs/70/rows.parquet");
        ObjectStoreFactory factory = Factory(server);

        ObjectListing single = await factory.ListAsync(StoreLocation.Parse($"az://{container.Name}/runs/7/rows.parquet"), Token);
        ObjectListing folder = await factory.ListAsync(StoreLocation.Parse($"az://{container.Name}/runs/7"), Token);
        ObjectListing whole = await factory.ListAsync(StoreLocation.Parse($"az://{container.Name}"), Token);

        Assert.Equal([new ObjectInfo("rows.parquet", "runs/7/rows.parquet".Length)], single.Objects);
        Assert.Equal(["log/a.jsonl", "rows.parquet"], folder.Objects.Select(item => item.Key));
        Assert.Equal(3, whole.Objects.Count);
    }

    [Fact]
    public async Task AFolderLocationIsWhereObjectsAreWritten()
    {
        AzuriteServer server = await azurite.GetAsync();
        BlobContainerClient container = await ContainerWithAsync(server);

        IObjectStore results = Factory(server).OpenFolder(StoreLocation.Parse($"az://{container.Name}/runs/8"));
        await results.WriteAsync("rows/part-0.parquet", "rows"u8.ToArray(), Token);
        await results.AppendAsync("journal.jsonl", 0, "{}\n"u8.ToArray(), Token);

        Assert.Equal("rows", (await container.GetBlobClient("runs/8/rows/part-0.parquet").DownloadContentAsync(Token)).Value.Content.ToString());
        Assert.Equal(3, (await container.GetBlobClient("runs/8/journal.jsonl").GetPropertiesAsync(cancellationToken: Token)).Value.ContentLength);
    }

    [Fact]
    public async Task AMissingContainerIsNamedWhenListing()
    {
        AzuriteServer server = await azurite.GetAsync();

        var error = await Assert.ThrowsAsync<StorageFailureException>(() => Factory(server).ListAsync(StoreLocation.Parse("az://no-such-container/x/*.jsonl"), Token));

        Assert.Contains($"{server.BlobEndpoint}/no-such-container does not exist", error.Message);
    }

    /// <summary>What a new run asks of its output location before it exists (RunSpecs): a first object's length.</summary>
    [Fact]
    public async Task AnOutputFolderInAMissingContainerOrUnderAKeyTheAccountRefusesFailsAtItsFirstQuestion()
    {
        AzuriteServer server = await azurite.GetAsync();
        BlobContainerClient container = await ContainerWithAsync(server);
        string wrongKey = server.ConnectionString.Replace("AccountKey=Eby8", "AccountKey=Xby8", StringComparison.Ordinal);
        var refused = new ObjectStoreFactory(new StorageOptions { Azure = { ConnectionString = wrongKey } }, new ResilienceOptions { MaxRetryAttempts = 1 },
            NullLoggerFactory.Instance);

        var missing = await Assert.ThrowsAsync<StorageFailureException>(() =>
            Factory(server).OpenFolder(StoreLocation.Parse("az://no-such-container/out")).GetLengthAsync("_CLOSED", Token));
        var unauthorized = await Assert.ThrowsAsync<StorageFailureException>(() =>
            refused.OpenFolder(StoreLocation.Parse($"az://{container.Name}/out")).GetLengthAsync("_CLOSED", Token));

        Assert.Contains($"{server.BlobEndpoint}/no-such-container does not exist", missing.Message);
        Assert.Matches(@"^Cannot get the length of .*/out/_CLOSED: Service request failed\. \(HTTP 403( \w+)?: the account refuses these credentials or this access\)$",
            unauthorized.Message);
        Assert.Null(await Factory(server).OpenFolder(StoreLocation.Parse($"az://{container.Name}/out")).GetLengthAsync("_CLOSED", Token));
    }
}
