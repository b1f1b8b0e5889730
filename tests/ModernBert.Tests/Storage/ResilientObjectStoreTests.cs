using System.Diagnostics;
using Azure;
using Microsoft.Extensions.Logging;
using ModernBert.Resilience;
using ModernBert.Storage;
using ModernBert.Tests.Common;
using Polly.CircuitBreaker;

namespace ModernBert.Tests.Storage;

public sealed class ResilientObjectStoreTests : IDisposable
{
    private readonly TemporaryFolder _folder = new();
    private readonly FlakyObjectStore _flaky;
    private readonly RecordingLogger _logger = new();

    public ResilientObjectStoreTests()
    {
        _flaky = new FlakyObjectStore(new LocalObjectStore(_folder.Path));
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    private ResilientObjectStore Resilient(int maxRetryAttempts = 5, int attemptTimeoutMs = 5000, int minimumThroughput = 100) =>
        new(_flaky, ResilientObjectStore.CreatePipeline(new ResilienceOptions
        {
            MaxRetryAttempts = maxRetryAttempts,
            BaseDelay = TimeSpan.FromMilliseconds(1),
            MaxDelay = TimeSpan.FromMilliseconds(5),
            AttemptTimeout = TimeSpan.FromMilliseconds(attemptTimeoutMs),
            MinimumThroughput = minimumThroughput,
            SamplingDuration = TimeSpan.FromSeconds(5),
            BreakDuration = TimeSpan.FromSeconds(5),
        }, _logger));

    [Fact]
    public async Task TransientFailuresAreRetriedUntilTheCallSucceeds()
    {
        ResilientObjectStore store = Resilient();
        _flaky.FailNext(new RequestFailedException(503, "Server busy"), new RequestFailedException(0, "Connection refused"),
            new HttpRequestException("reset"), new IOException("broken pipe"), new TimeoutException());

        await store.WriteAsync("a.bin", "content"u8.ToArray(), Token);

        Assert.Equal(6, _flaky.Calls);
        Assert.Equal("content", await File.ReadAllTextAsync(_folder.File("a.bin"), Token));
        Assert.Equal(5, _logger.Entries.Count(entry => entry.Level == LogLevel.Warning && entry.Message.Contains($"write {_folder.File("a.bin")}")));
    }

    [Fact]
    public async Task AnswersThatARetryWouldRepeatAreNotRetried()
    {
        ResilientObjectStore store = Resilient();
        _flaky.FailNext(new RequestFailedException(403, "Denied"), new ArgumentException("bad key"));

        await Assert.ThrowsAsync<StorageFailureException>(() => store.GetLengthAsync("a.bin", Token));
        await Assert.ThrowsAsync<ArgumentException>(() => store.GetLengthAsync("a.bin", Token));
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => store.OpenReadAsync("missing.bin", Token));
        await store.AppendAsync("log", 0, "x"u8.ToArray(), Token);
        await Assert.ThrowsAsync<AppendConflictException>(() => store.AppendAsync("log", 0, "y"u8.ToArray(), Token));

        Assert.Equal(5, _flaky.Calls);
    }

    [Fact]
    public async Task APermanentFailureFailsAtOnceNamingTheOperationTheLocationAndTheCause()
    {
        ResilientObjectStore store = Resilient();
        string path = _folder.File("parts/p.parquet");
        _flaky.FailNext(new IOException($"No space left on device : '{path}'", 28));

        var error = await Assert.ThrowsAsync<StorageFailureException>(() => store.AppendAsync("parts/p.parquet", 0, "x"u8.ToArray(), Token));

        Assert.Equal($"Cannot append to {path}: No space left on device : '{path}'", error.Message);
        Assert.Equal(1, _flaky.Calls);
        Assert.DoesNotContain(_logger.Entries, entry => entry.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task TheLastFailureSurfacesOnceTheRetriesAreSpent()
    {
        ResilientObjectStore store = Resilient(maxRetryAttempts: 2);
        _flaky.FailNext(new IOException("first"), new IOException("second"), new IOException("third"), new IOException("fourth"));

        var error = await Assert.ThrowsAsync<IOException>(() => store.ReadRangeAsync("a.bin", 0, 1, Token));

        Assert.Equal("third", error.Message);
        Assert.Equal(3, _flaky.Calls);
    }

    [Fact]
    public async Task AHungAttemptIsCutOffAndRetried()
    {
        ResilientObjectStore store = Resilient(attemptTimeoutMs: 100);
        await store.WriteAsync("a.bin", "abc"u8.ToArray(), Token);
        _ = _flaky.HangNext();
        var stopwatch = Stopwatch.StartNew();

        long? length = await store.GetLengthAsync("a.bin", Token);

        Assert.Equal(3, length);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task TheCallersCancellationIsNotRetried()
    {
        ResilientObjectStore store = Resilient();
        Task hanging = _flaky.HangNext();
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(Token);

        Task<long?> length = store.GetLengthAsync("a.bin", cancellation.Token);
        await hanging.WaitAsync(TimeSpan.FromSeconds(30), Token);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => length);

        Assert.Equal(1, _flaky.Calls);
    }

    [Fact]
    public async Task RepeatedFailuresOpenTheCircuitSoCallsFailFastWithoutReachingTheStore()
    {
        ResilientObjectStore store = Resilient(maxRetryAttempts: 0, minimumThroughput: 2);
        _flaky.FailNext(new IOException("down"), new IOException("down"));
        await Assert.ThrowsAsync<IOException>(() => store.GetLengthAsync("a.bin", Token));
        await Assert.ThrowsAsync<IOException>(() => store.GetLengthAsync("a.bin", Token));

        await Assert.ThrowsAsync<BrokenCircuitException>(() => store.GetLengthAsync("a.bin", Token));

        Assert.Equal(2, _flaky.Calls);
        Assert.Contains(_logger.Entries, entry => entry.Level == LogLevel.Error && entry.Message.Contains("circuit opened"));
    }

    [Fact]
    public async Task AStreamResumesAtItsPositionAfterAFailedRead()
    {
        byte[] content = new byte[100_000];
        new Random(5).NextBytes(content);
        await File.WriteAllBytesAsync(_folder.File("big.bin"), content, Token);
        ResilientObjectStore store = Resilient();
        _flaky.FailStreamAfterBytes = 30_000;

        await using Stream stream = await store.OpenReadAsync("big.bin", Token);
        var copy = new MemoryStream();
        await stream.CopyToAsync(copy, 4096, Token);

        Assert.Equal(content, copy.ToArray());
        Assert.Equal(2, _flaky.Opens);
    }

    [Fact]
    public async Task AResumedStreamKeepsSeekingAndSynchronousReads()
    {
        await File.WriteAllTextAsync(_folder.File("lines.txt"), "line one\nline two\nline three\n", Token);
        ResilientObjectStore store = Resilient();
        _flaky.FailStreamAfterBytes = 12;

        await using Stream stream = await store.OpenReadAsync("lines.txt", Token);
        stream.Seek(5, SeekOrigin.Begin);
        using var reader = new StreamReader(stream, bufferSize: 4);

        Assert.Equal(["one", "line two", "line three"], [reader.ReadLine(), reader.ReadLine(), reader.ReadLine()]);
        Assert.Equal(29, stream.Length);
        Assert.Equal(2, _flaky.Opens);
    }

    [Fact]
    public async Task AStreamDoesNotResumeIntoAReplacedObject()
    {
        await File.WriteAllTextAsync(_folder.File("state.json"), "{\"version\":1}", Token);
        ResilientObjectStore store = Resilient();
        _flaky.FailStreamAfterBytes = 4;
        await using Stream stream = await store.OpenReadAsync("state.json", Token);
        byte[] head = new byte[4];
        await stream.ReadExactlyAsync(head, Token);

        await store.WriteAsync("state.json", "{\"version\":20}"u8.ToArray(), Token);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => stream.ReadAsync(new byte[10], Token).AsTask());
        Assert.Contains("length changed from 13 to 14", error.Message);
    }

    [Fact]
    public async Task AnAppendWhoseAnswerWasLostIsRetriedWithoutDuplicatingData()
    {
        ResilientObjectStore store = Resilient();
        await store.AppendAsync("run.jsonl", 0, "first\n"u8.ToArray(), Token);
        _flaky.FailNextAfterCalling(new IOException("connection lost after sending"));

        await store.AppendAsync("run.jsonl", 6, "second\n"u8.ToArray(), Token);

        Assert.Equal("first\nsecond\n", await File.ReadAllTextAsync(_folder.File("run.jsonl"), Token));
    }

    [Fact]
    public async Task AListingThatFailsIsListedAgainWhole()
    {
        ResilientObjectStore store = Resilient();
        await store.WriteAsync("a/1.bin", new byte[] { 1 }, Token);
        await store.WriteAsync("a/2.bin", new byte[] { 1, 2 }, Token);
        _flaky.FailNext(new IOException("listing interrupted"));

        List<ObjectInfo> items = await store.ListAsync("a/", Token).ToListAsync(Token);

        Assert.Equal([new ObjectInfo("a/1.bin", 1), new ObjectInfo("a/2.bin", 2)], items);
    }
}
