using ModernBert.Storage;

namespace ModernBert.Tests.Inputs;

public sealed class ObjectRangeStreamTests : IDisposable
{
    private readonly TempCorpus _corpus = new();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public void Dispose() => _corpus.Dispose();

    /// <summary>Writes "blob.bin" of the given length and returns a counting store over it.</summary>
    private (CountingObjectStore Store, byte[] Content) WriteBlob(int length)
    {
        byte[] content = Enumerable.Range(0, length).Select(i => (byte)(i * 31 + i / 256)).ToArray();
        _corpus.Write("blob.bin", content);
        return (new CountingObjectStore(_corpus.Store), content);
    }

    [Fact]
    public async Task SeeksAndReadsLikeTheObjectItself()
    {
        (CountingObjectStore store, byte[] content) = WriteBlob(300_000);
        await using var stream = new ObjectRangeStream(store, "blob.bin", content.Length, blockBytes: 4096);
        var random = new Random(5);

        for (int i = 0; i < 200; i++)
        {
            long offset = random.Next(content.Length + 10);
            int count = random.Next(1, 20_000);
            stream.Seek(offset, SeekOrigin.Begin);
            byte[] buffer = new byte[count];
            int read = i % 2 == 0 ? await stream.ReadAtLeastAsync(buffer, count, throwOnEndOfStream: false, Cancellation) : stream.ReadAtLeast(buffer, count, throwOnEndOfStream: false);

            int expected = (int)Math.Clamp(content.Length - offset, 0, count);
            Assert.Equal(expected, read);
            Assert.Equal(content.AsSpan((int)Math.Min(offset, content.Length), expected), buffer.AsSpan(0, read));
            Assert.Equal(offset + read, stream.Position);
        }
        Assert.Equal(0, store.SequentialOpens);
        Assert.Equal(content.Length - 10, stream.Seek(-10, SeekOrigin.End));
    }

    [Fact]
    public async Task ReadsInsideAPrefetchedRangeDoNotReachTheStore()
    {
        (CountingObjectStore store, byte[] content) = WriteBlob(100_000);
        await using var stream = new ObjectRangeStream(store, "blob.bin", content.Length, blockBytes: 1024);

        await stream.PrefetchAsync(10_000, 50_000, Cancellation);
        stream.Position = 10_000;
        byte[] buffer = new byte[50_000];
        for (int offset = 0; offset < buffer.Length; offset += 7)
            stream.ReadExactly(buffer, offset, Math.Min(7, buffer.Length - offset));
        await stream.PrefetchAsync(20_000, 1000, Cancellation);

        Assert.Equal(content[10_000..60_000], buffer);
        Assert.Equal((1, 50_000L), (store.RangeReads, store.RangeBytes));
    }

    [Fact]
    public async Task AnObjectShorterThanItsDeclaredLengthIsAnError()
    {
        (CountingObjectStore store, _) = WriteBlob(1000);
        await using var stream = new ObjectRangeStream(store, "blob.bin", 5000, blockBytes: 100);
        stream.Position = 2000;

        var error = await Assert.ThrowsAsync<EndOfStreamException>(() => stream.ReadAsync(new byte[10], Cancellation).AsTask());

        Assert.Contains(_corpus.PathOf("blob.bin"), error.Message);
    }
}
