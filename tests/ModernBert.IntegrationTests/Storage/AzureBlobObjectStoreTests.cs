using System.Text;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;
using ModernBert.Storage;
using ModernBert.Tests.Common;

namespace ModernBert.IntegrationTests.Storage;

[Collection(AzuriteCollection.Name)]
public sealed class AzureBlobObjectStoreTests(AzuriteFixture azurite)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private async Task<(AzureBlobObjectStore Store, BlobContainerClient Container)> NewStoreAsync(string prefix = "")
    {
        BlobContainerClient container = await AzuriteContainers.CreateAsync(await azurite.GetAsync());
        return (new AzureBlobObjectStore(container, prefix), container);
    }

    [Fact]
    public async Task WrittenObjectReadsBackWholeInRangesAndAsStream()
    {
        (AzureBlobObjectStore store, _) = await NewStoreAsync();
        byte[] content = Encoding.ASCII.GetBytes("0123456789abcdef");

        await store.WriteAsync("dir/object.bin", content, Token);

        Assert.Equal(16, await store.GetLengthAsync("dir/object.bin", Token));
        Assert.Equal("4567"u8.ToArray(), await store.ReadRangeAsync("dir/object.bin", 4, 4, Token));
        Assert.Equal("ef"u8.ToArray(), await store.ReadRangeAsync("dir/object.bin", 14, 10, Token));
        Assert.Empty(await store.ReadRangeAsync("dir/object.bin", 16, 4, Token));
        Assert.Empty(await store.ReadRangeAsync("dir/object.bin", 3, 0, Token));
        await using Stream stream = await store.OpenReadAsync("dir/object.bin", Token);
        var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Token);
        Assert.Equal(content, copy.ToArray());
    }

    [Fact]
    public async Task ABlobLeaseIsExclusiveUntilReleased()
    {
        (AzureBlobObjectStore store, BlobContainerClient container) = await NewStoreAsync("runs");
        Assert.False(await store.IsLeasedAsync("r1/lease", Token));
        IObjectLease? first = await store.TryAcquireLeaseAsync("r1/lease", Token);
        Assert.NotNull(first);
        Assert.Null(await store.TryAcquireLeaseAsync("r1/lease", Token));
        Assert.Equal(LeaseState.Leased, (await container.GetBlobClient("runs/r1/lease").GetPropertiesAsync(cancellationToken: Token)).Value.LeaseState);
        Assert.True(await store.IsLeasedAsync("r1/lease", Token));

        await first.DisposeAsync();
        Assert.False(await store.IsLeasedAsync("r1/lease", Token));

        await using IObjectLease? next = await store.TryAcquireLeaseAsync("r1/lease", Token);
        Assert.NotNull(next);
        Assert.False(next.Lost.IsCancellationRequested);
    }

    [Fact]
    public async Task ABrokenBlobLeaseIsReportedLostAtItsNextRenewal()
    {
        (AzureBlobObjectStore store, BlobContainerClient container) = await NewStoreAsync();
        await using IObjectLease? lease = await store.TryAcquireLeaseAsync("lease", Token);
        Assert.NotNull(lease);
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using CancellationTokenRegistration registration = lease.Lost.Register(lost.SetResult);

        await container.GetBlobClient("lease").GetBlobLeaseClient().BreakAsync(TimeSpan.Zero, cancellationToken: Token);
        Assert.False(await store.IsLeasedAsync("lease", Token));

        // Renewals come every sixth of the lease's 60 s.
        await lost.Task.WaitAsync(TimeSpan.FromSeconds(30), Token);
        await using IObjectLease? taken = await store.TryAcquireLeaseAsync("lease", Token);
        Assert.NotNull(taken);
    }

    [Fact]
    public async Task WriteReplacesTheWholeObject()
    {
        (AzureBlobObjectStore store, _) = await NewStoreAsync();
        await store.WriteAsync("state.json", "{\"version\":1,\"long\":true}"u8.ToArray(), Token);

        await store.WriteAsync("state.json", "{\"version\":2}"u8.ToArray(), Token);

        Assert.Equal("{\"version\":2}"u8.ToArray(), await store.ReadRangeAsync("state.json", 0, 100, Token));
    }

    [Fact]
    public async Task MissingObjectHasNoLengthAndCannotBeRead()
    {
        (AzureBlobObjectStore store, BlobContainerClient container) = await NewStoreAsync("runs/7");

        Assert.Null(await store.GetLengthAsync("missing.bin", Token));
        var open = await Assert.ThrowsAsync<ObjectNotFoundException>(() => store.OpenReadAsync("missing.bin", Token));
        Assert.Equal($"{container.Uri}/runs/7/missing.bin", open.Location);
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => store.ReadRangeAsync("missing.bin", 0, 10, Token));
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => store.ReadRangeAsync("missing.bin", 0, 0, Token));
    }

    [Fact]
    public async Task DeleteRemovesTheObjectAndAcceptsMissingOnes()
    {
        (AzureBlobObjectStore store, _) = await NewStoreAsync();
        await store.WriteAsync("a.bin", new byte[] { 1 }, Token);

        await store.DeleteAsync("a.bin", Token);
        await store.DeleteAsync("a.bin", Token);

        Assert.Null(await store.GetLengthAsync("a.bin", Token));
    }

    [Fact]
    public async Task AppendsCreateThenExtendTheObject()
    {
        (AzureBlobObjectStore store, _) = await NewStoreAsync();

        await store.AppendAsync("log.jsonl", 0, "first\n"u8.ToArray(), Token);
        await store.AppendAsync("log.jsonl", 6, "second\n"u8.ToArray(), Token);

        Assert.Equal(13, await store.GetLengthAsync("log.jsonl", Token));
        Assert.Equal("first\nsecond\n"u8.ToArray(), await store.ReadRangeAsync("log.jsonl", 0, 100, Token));
    }

    [Fact]
    public async Task AppendAtAnOffsetOtherThanTheLengthConflicts()
    {
        (AzureBlobObjectStore store, _) = await NewStoreAsync();
        await store.AppendAsync("log.jsonl", 0, "first\n"u8.ToArray(), Token);

        var behind = await Assert.ThrowsAsync<AppendConflictException>(() => store.AppendAsync("log.jsonl", 3, "other\n"u8.ToArray(), Token));
        var ahead = await Assert.ThrowsAsync<AppendConflictException>(() => store.AppendAsync("log.jsonl", 9, "other\n"u8.ToArray(), Token));
        var recreate = await Assert.ThrowsAsync<AppendConflictException>(() => store.AppendAsync("log.jsonl", 0, "other\n"u8.ToArray(), Token));
        var missing = await Assert.ThrowsAsync<AppendConflictException>(() => store.AppendAsync("none.jsonl", 5, "x"u8.ToArray(), Token));

        Assert.Equal((3, 6), (behind.ExpectedOffset, behind.ActualLength));
        Assert.Equal((9, 6), (ahead.ExpectedOffset, ahead.ActualLength));
        Assert.Equal((0, 6), (recreate.ExpectedOffset, recreate.ActualLength));
        Assert.Equal((5, 0), (missing.ExpectedOffset, missing.ActualLength));
        Assert.Equal("first\n"u8.ToArray(), await store.ReadRangeAsync("log.jsonl", 0, 100, Token));
    }

    [Fact]
    public async Task RetriedAppendWhoseFirstAttemptLandedSucceedsWithoutDuplicating()
    {
        (AzureBlobObjectStore store, _) = await NewStoreAsync();
        await store.AppendAsync("log.jsonl", 0, "first\n"u8.ToArray(), Token);
        await store.AppendAsync("log.jsonl", 6, "second\n"u8.ToArray(), Token);

        await store.AppendAsync("log.jsonl", 6, "second\n"u8.ToArray(), Token); // the retry of an append whose answer was lost

        Assert.Equal("first\nsecond\n"u8.ToArray(), await store.ReadRangeAsync("log.jsonl", 0, 100, Token));
    }

    [Fact]
    public async Task RetriedAppendCompletesAnAppendThatLandedInPart()
    {
        (AzureBlobObjectStore store, _) = await NewStoreAsync();
        await store.AppendAsync("log.jsonl", 0, "head\n"u8.ToArray(), Token);
        await store.AppendAsync("log.jsonl", 5, "tor"u8.ToArray(), Token); // what a cut-off attempt left

        await store.AppendAsync("log.jsonl", 5, "torn tail\n"u8.ToArray(), Token);

        Assert.Equal("head\ntorn tail\n"u8.ToArray(), await store.ReadRangeAsync("log.jsonl", 0, 100, Token));
    }

    [Fact]
    public async Task LargeAppendIsSentInBlocksTheServiceAccepts()
    {
        (AzureBlobObjectStore store, _) = await NewStoreAsync();
        byte[] data = new byte[2 * AzureBlobObjectStore.MaxAppendBlockBytes + 12345];
        new Random(7).NextBytes(data);

        await store.AppendAsync("big.bin", 0, data, Token);
        await store.AppendAsync("big.bin", data.Length, data.AsMemory(0, 10), Token);

        Assert.Equal(data.Length + 10, await store.GetLengthAsync("big.bin", Token));
        Assert.Equal(data.AsSpan(data.Length - 100).ToArray(), await store.ReadRangeAsync("big.bin", data.Length - 100, 100, Token));
        Assert.Equal(data.AsSpan(0, 10).ToArray(), await store.ReadRangeAsync("big.bin", data.Length, 10, Token));
    }

    [Fact]
    public async Task EmptyAppendCreatesOrChecksTheLength()
    {
        (AzureBlobObjectStore store, _) = await NewStoreAsync();

        await store.AppendAsync("empty.jsonl", 0, ReadOnlyMemory<byte>.Empty, Token);
        await store.AppendAsync("empty.jsonl", 0, ReadOnlyMemory<byte>.Empty, Token);

        Assert.Equal(0, await store.GetLengthAsync("empty.jsonl", Token));
        await Assert.ThrowsAsync<AppendConflictException>(() => store.AppendAsync("empty.jsonl", 1, ReadOnlyMemory<byte>.Empty, Token));
    }

    [Fact]
    public async Task ASealedAppendBlobTakesNoMoreAppends()
    {
        (AzureBlobObjectStore store, BlobContainerClient container) = await NewStoreAsync("runs");
        await store.AppendAsync("parts/p.parquet", 0, "head"u8.ToArray(), Token);

        Assert.True(await store.SealAsync("parts/p.parquet", Token));
        Assert.True(await store.SealAsync("parts/p.parquet", Token));

        var sealedError = await Assert.ThrowsAsync<ObjectSealedException>(() => store.AppendAsync("parts/p.parquet", 4, "tail"u8.ToArray(), Token));
        Assert.Equal(store.Describe("parts/p.parquet"), sealedError.Location);
        Assert.True((await container.GetBlobClient("runs/parts/p.parquet").GetPropertiesAsync(cancellationToken: Token)).Value.IsSealed);
        Assert.Equal(4, await store.GetLengthAsync("parts/p.parquet", Token));
    }

    [Fact]
    public async Task SealingAMissingOrWholeWrittenObjectDoesNothing()
    {
        (AzureBlobObjectStore store, _) = await NewStoreAsync();
        await store.WriteAsync("whole.bin", "abc"u8.ToArray(), Token);

        Assert.True(await store.SealAsync("none.parquet", Token));
        Assert.True(await store.SealAsync("whole.bin", Token));

        Assert.Null(await store.GetLengthAsync("none.parquet", Token));
        Assert.Equal("abc"u8.ToArray(), await store.ReadRangeAsync("whole.bin", 0, 3, Token));
    }

    [Fact]
    public async Task AppendToAWholeWrittenObjectSaysItIsNotAnAppendBlob()
    {
        (AzureBlobObjectStore store, _) = await NewStoreAsync();
        await store.WriteAsync("whole.bin", "abc"u8.ToArray(), Token);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.AppendAsync("whole.bin", 3, "d"u8.ToArray(), Token));

        Assert.Contains("not an append blob", error.Message);
    }

    [Fact]
    public async Task ListingReturnsKeysUnderThePrefixInOrdinalOrderRelativeToTheStore()
    {
        (AzureBlobObjectStore store, BlobContainerClient container) = await NewStoreAsync("runs/1");
        var outside = new AzureBlobObjectStore(container, "runs/10");
        foreach (string key in new[] { "b/2.bin", "B/1.bin", "a.bin", "b/10.bin", "b/1.bin", "bb.bin" })
            await store.WriteAsync(key, Encoding.ASCII.GetBytes(key), Token);
        await outside.WriteAsync("a.bin", "outside"u8.ToArray(), Token);

        List<ObjectInfo> all = await ListAsync(store, "");
        List<ObjectInfo> underB = await ListAsync(store, "b/");
        List<ObjectInfo> startingWithB = await ListAsync(store, "b");

        Assert.Equal(["B/1.bin", "a.bin", "b/1.bin", "b/10.bin", "b/2.bin", "bb.bin"], all.Select(item => item.Key));
        Assert.Equal("b/10.bin".Length, all.Single(item => item.Key == "b/10.bin").Length);
        Assert.Equal(["b/1.bin", "b/10.bin", "b/2.bin"], underB.Select(item => item.Key));
        Assert.Equal(["b/1.bin", "b/10.bin", "b/2.bin", "bb.bin"], startingWithB.Select(item => item.Key));
        Assert.Empty(await ListAsync(store, "c"));
    }

    [Fact]
    public async Task MissingContainerIsNamedInTheError()
    {
        BlobContainerClient missing = AzuriteContainers.Service(await azurite.GetAsync()).GetBlobContainerClient("no-such-container");
        var store = new AzureBlobObjectStore(missing);

        var write = await Assert.ThrowsAsync<StorageFailureException>(() => store.WriteAsync("a.bin", new byte[] { 1 }, Token));
        var list = await Assert.ThrowsAsync<StorageFailureException>(() => ListAsync(store, ""));
        var length = await Assert.ThrowsAsync<StorageFailureException>(() => store.GetLengthAsync("a.bin", Token));
        await store.DeleteAsync("a.bin", Token);

        foreach (Exception error in new Exception[] { write, list, length })
            Assert.Contains($"{missing.Uri} does not exist", error.Message);
    }

    [Fact]
    public async Task DescribeGivesTheBlobUrlWithoutTheSasToken()
    {
        (_, BlobContainerClient container) = await NewStoreAsync();
        Uri sas = container.GenerateSasUri(BlobContainerSasPermissions.All, DateTimeOffset.UtcNow.AddHours(1));
        var store = new AzureBlobObjectStore(new BlobContainerClient(sas), "out");
        await store.WriteAsync("x.bin", new byte[] { 1 }, Token);

        string described = store.Describe("x.bin");

        Assert.Equal($"{container.Uri}/out/x.bin", described);
        Assert.DoesNotContain("sig=", described);
    }

    private static Task<List<ObjectInfo>> ListAsync(IObjectStore store, string prefix) => store.ListAsync(prefix, Token).ToListAsync(Token).AsTask();
}
