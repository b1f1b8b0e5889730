using Microsoft.Extensions.Logging.Abstractions;
using ModernBert.Resilience;
using ModernBert.Storage;
using ModernBert.Tests.Common;

namespace ModernBert.Tests.Storage;

public sealed class ObjectStoreFactoryTests : IDisposable
{
    private readonly TemporaryFolder _folder = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    private static ObjectStoreFactory Factory(AzureStorageOptions? azure = null) =>
        new(new StorageOptions { Azure = azure ?? new AzureStorageOptions() }, new ResilienceOptions(), NullLoggerFactory.Instance,
            environment: _ => null);

    private void Files(params string[] keys)
    {
        foreach (string key in keys)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_folder.File(key))!);
            File.WriteAllText(_folder.File(key), key);
        }
    }

    [Fact]
    public async Task AGlobListsTheMatchingObjectsRelativeToItsFolder()
    {
        Files("corpus/2026-01/part-1.jsonl.gz", "corpus/2026-01/part-2.jsonl.gz", "corpus/2026-02/part-1.jsonl.gz",
            "corpus/2026-02/index.json", "corpus/2025-12/part-1.jsonl.gz", "corpus/2026-03/deeper/part-1.jsonl.gz");

        ObjectListing listing = await Factory().ListAsync(StoreLocation.Parse(_folder.File("corpus/2026-*/part-*.jsonl.gz")), Token);

        Assert.Equal(["2026-01/part-1.jsonl.gz", "2026-01/part-2.jsonl.gz", "2026-02/part-1.jsonl.gz"], listing.Objects.Select(item => item.Key));
        Assert.Equal("2026-01/part-1.jsonl.gz".Length + "corpus/".Length, listing.Objects[0].Length);
        Assert.Equal(_folder.File("corpus/2026-01/part-2.jsonl.gz"), listing.Store.Describe(listing.Objects[1].Key));
    }

    [Fact]
    public async Task ARecursiveGlobMatchesAtAnyDepth()
    {
        Files("data/a.jsonl", "data/x/b.jsonl", "data/x/y/c.jsonl", "data/x/y/c.txt");

        ObjectListing listing = await Factory().ListAsync(StoreLocation.Parse(_folder.File("data/**/*.jsonl")), Token);

        Assert.Equal(["a.jsonl", "x/b.jsonl", "x/y/c.jsonl"], listing.Objects.Select(item => item.Key));
    }

    [Fact]
    public async Task ALocationWithoutWildcardsListsTheObjectItNamesOrElseTheFolder()
    {
        Files("data/one.jsonl", "data/sub/two.jsonl");

        ObjectListing single = await Factory().ListAsync(StoreLocation.Parse(_folder.File("data/one.jsonl")), Token);
        ObjectListing folder = await Factory().ListAsync(StoreLocation.Parse(_folder.File("data")), Token);
        ObjectListing nothing = await Factory().ListAsync(StoreLocation.Parse(_folder.File("none")), Token);

        Assert.Equal([new ObjectInfo("one.jsonl", "data/one.jsonl".Length)], single.Objects);
        Assert.Equal(_folder.File("data/one.jsonl"), single.Store.Describe("one.jsonl"));
        Assert.Equal(["one.jsonl", "sub/two.jsonl"], folder.Objects.Select(item => item.Key));
        Assert.Empty(nothing.Objects);
    }

    [Fact]
    public async Task FolderAndObjectStoresAreRootedWhereTheLocationSays()
    {
        ObjectStoreFactory factory = Factory();

        IObjectStore results = factory.OpenFolder(StoreLocation.Parse("file://" + _folder.File("results/run-1")));
        await results.WriteAsync("rows/part-0.parquet", "rows"u8.ToArray(), Token);
        ObjectReference model = factory.OpenObject(StoreLocation.Parse(_folder.File("results/run-1/rows/part-0.parquet")));

        Assert.Equal("part-0.parquet", model.Key);
        Assert.Equal("rows"u8.ToArray(), await model.Store.ReadRangeAsync(model.Key, 0, 10, Token));
    }

    [Fact]
    public void FoldersAndObjectsCannotHoldWildcards()
    {
        ObjectStoreFactory factory = Factory();

        var folder = Assert.Throws<StorageLocationException>(() => factory.OpenFolder(StoreLocation.Parse("az://results/run-*")));
        var container = Assert.Throws<StorageLocationException>(() => factory.OpenObject(StoreLocation.Parse("az://results")));

        Assert.Contains("cannot hold wildcards", folder.Message);
        Assert.Contains("not an object", container.Message);
    }

    [Fact]
    public void AzLocationWithoutAConfiguredAccountSaysHowToConfigureOne()
    {
        var error = Assert.Throws<StorageLocationException>(() => Factory().OpenFolder(StoreLocation.Parse("az://results/run-1")));

        Assert.StartsWith("Storage location 'az://results/run-1': no Azure Storage account is configured", error.Message);
        Assert.Contains("Storage:Azure:ConnectionString", error.Message);
        Assert.Contains("AZURE_STORAGE_CONNECTION_STRING", error.Message);
    }

    [Fact]
    public void EmulatorLocationNeedsAConnectionStringForItsEndpoint()
    {
        var error = Assert.Throws<StorageLocationException>(() =>
            Factory(new AzureStorageOptions { AccountName = "other" }).OpenFolder(StoreLocation.Parse("http://127.0.0.1:10000/devstoreaccount1/results")));

        Assert.Contains("no credentials for http://127.0.0.1:10000/devstoreaccount1", error.Message);
    }

    [Fact]
    public void ConfiguredAccountServesAzLocationsAndItsOwnUrls()
    {
        const string connectionString = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;";
        ObjectStoreFactory factory = Factory(new AzureStorageOptions { ConnectionString = connectionString });

        IObjectStore viaAz = factory.OpenFolder(StoreLocation.Parse("az://results/run-1"));
        IObjectStore viaUrl = factory.OpenFolder(StoreLocation.Parse("http://127.0.0.1:10000/devstoreaccount1/results/run-1"));
        IObjectStore viaIdentity = factory.OpenFolder(StoreLocation.Parse("https://another.blob.core.windows.net/results/run-1"));

        Assert.Equal("http://127.0.0.1:10000/devstoreaccount1/results/run-1/rows.parquet", viaAz.Describe("rows.parquet"));
        Assert.Equal(viaAz.Describe("rows.parquet"), viaUrl.Describe("rows.parquet"));
        Assert.Equal("https://another.blob.core.windows.net/results/run-1/rows.parquet", viaIdentity.Describe("rows.parquet"));
    }
}
