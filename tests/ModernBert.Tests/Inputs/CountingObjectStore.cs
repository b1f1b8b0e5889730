using ModernBert.Storage;

namespace ModernBert.Tests.Inputs;

/// <summary>Passes reads to another store and counts them, to check how a reader reaches the bytes.</summary>
internal sealed class CountingObjectStore(IObjectStore inner) : IObjectStore
{
    public int SequentialOpens { get; private set; }
    public int RangeReads { get; private set; }
    public long RangeBytes { get; private set; }

    public string Describe(string key) => inner.Describe(key);

    public Task<long?> GetLengthAsync(string key, CancellationToken cancellationToken) => inner.GetLengthAsync(key, cancellationToken);

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        SequentialOpens++;
        return inner.OpenReadAsync(key, cancellationToken);
    }

    public async Task<byte[]> ReadRangeAsync(string key, long offset, int length, CancellationToken cancellationToken)
    {
        byte[] data = await inner.ReadRangeAsync(key, offset, length, cancellationToken);
        RangeReads++;
        RangeBytes += data.Length;
        return data;
    }

    public Task WriteAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        inner.WriteAsync(key, content, cancellationToken);

    public Task AppendAsync(string key, long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        inner.AppendAsync(key, offset, data, cancellationToken);

    public IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);
}
