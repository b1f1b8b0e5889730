using System.Diagnostics;
using Azure.Storage.Blobs;
using ModernBert.Resilience;
using ModernBert.Storage;
using ModernBert.Tests.Common;

namespace ModernBert.IntegrationTests.Storage;

public sealed class ResilientAzureStoreTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CallsMadeDuringAnOutageSucceedOnceTheServiceIsBack()
    {
        await using AzuriteServer azurite = await AzuriteServer.StartNewAsync(Token);
        TestContext.Current.TestOutputHelper?.WriteLine($"Azurite started in {azurite.LastStartDuration.TotalMilliseconds:F0} ms");
        BlobContainerClient container = await AzuriteContainers.CreateAsync(azurite);
        var options = new ResilienceOptions
        {
            MaxRetryAttempts = 100,
            BaseDelay = TimeSpan.FromMilliseconds(50),
            MaxDelay = TimeSpan.FromMilliseconds(250),
            AttemptTimeout = TimeSpan.FromSeconds(5),
            MinimumThroughput = 2,
            SamplingDuration = TimeSpan.FromSeconds(1),
            BreakDuration = TimeSpan.FromMilliseconds(500),
        };
        var logger = new RecordingLogger();
        var store = new ResilientObjectStore(new AzureBlobObjectStore(container), ResilientObjectStore.CreatePipeline(options, logger));
        byte[] big = new byte[AzureBlobObjectStore.MaxAppendBlockBytes + (1 << 20)]; // longer than the read stream's 4 MiB buffer
        new Random(3).NextBytes(big);
        await store.WriteAsync("big.bin", big, Token);
        await store.AppendAsync("log.jsonl", 0, "before\n"u8.ToArray(), Token);
        await using Stream stream = await store.OpenReadAsync("big.bin", Token);
        byte[] head = new byte[1 << 20];
        await stream.ReadExactlyAsync(head, Token);

        await azurite.StopAsync();
        Task write = store.WriteAsync("during.bin", "written during the outage"u8.ToArray(), Token);
        Task append = store.AppendAsync("log.jsonl", 7, "during\n"u8.ToArray(), Token);
        Task<long?> length = store.GetLengthAsync("big.bin", Token);
        Task<List<ObjectInfo>> listing = store.ListAsync("", Token).ToListAsync(Token).AsTask();
        Task<byte[]> rest = ReadToEndAsync(stream);
        // Every call has failed at least once against the stopped Azurite and is retrying.
        string[] operations = [$"write {store.Describe("during.bin")}", $"append to {store.Describe("log.jsonl")}",
            $"get the length of {store.Describe("big.bin")}", $"list {store.Describe("")}", $"read {store.Describe("big.bin")}"];
        await Task.WhenAll(operations.Select(operation => logger.WhenLoggedAsync(message => message.Contains($"{operation} failed", StringComparison.Ordinal))))
            .WaitAsync(TimeSpan.FromSeconds(60), Token);
        Assert.All(new Task[] { write, append, length, listing, rest }, task => Assert.False(task.IsCompleted, $"a call finished during the outage: {task.Exception}"));
        var outage = Stopwatch.StartNew();
        await azurite.StartAsync(Token);
        TestContext.Current.TestOutputHelper?.WriteLine($"Azurite restarted in {outage.ElapsedMilliseconds} ms");
        await Task.WhenAll(write, append, length, listing, rest).WaitAsync(TimeSpan.FromSeconds(30), Token);

        Assert.Equal("written during the outage"u8.ToArray(), await store.ReadRangeAsync("during.bin", 0, 100, Token));
        Assert.Equal("before\nduring\n"u8.ToArray(), await store.ReadRangeAsync("log.jsonl", 0, 100, Token));
        Assert.Equal(big.Length, await length);
        Assert.Subset(new HashSet<string> { "big.bin", "during.bin", "log.jsonl" }, (await listing).Select(item => item.Key).ToHashSet());
        Assert.Contains(new ObjectInfo("big.bin", big.Length), await listing);
        Assert.Equal(big, head.Concat(await rest));
        Assert.Contains(logger.Entries, entry => entry.Message.Contains("retrying") && entry.Message.Contains("read " + store.Describe("big.bin")));
    }

    private static async Task<byte[]> ReadToEndAsync(Stream stream)
    {
        var rest = new MemoryStream();
        await stream.CopyToAsync(rest, Token);
        return rest.ToArray();
    }
}
