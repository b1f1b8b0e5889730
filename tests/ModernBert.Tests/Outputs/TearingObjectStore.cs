using ModernBert.Storage;

namespace ModernBert.Tests.Outputs;

/// <summary>An object store whose chosen append writes only the first half of its data, then fails, as a crash would.</summary>
internal sealed class TearingObjectStore(IObjectStore inner, int tornAppend) : IObjectStore
{
    private int _appends;

    public string Describe(string key) => inner.Describe(key);

    public Task<long?> GetLengthAsync(string key, CancellationToken cancellationToken) => inner.GetLengthAsync(key, cancellationToken);

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken) => inner.OpenReadAsync(key, cancellationToken);

    public Task<byte[]> ReadRangeAsync(string key, long offset, int length, CancellationToken cancellationToken) =>
        inner.ReadRangeAsync(key, offset, length, cancellationToken);

    public Task WriteAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) => inner.WriteAsync(key, content, cancellationToken);

    public async Task AppendAsync(string key, long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _appends) != tornAppend)
        {
            await inner.AppendAsync(key, offset, data, cancellationToken);
            return;
        }
        await inner.AppendAsync(key, offset, data[..(data.Length / 2)], cancellationToken);
        throw new IOException($"Simulated failure after appending {data.Length / 2} of {data.Length} bytes to {key}.");
    }

    public IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);
}
