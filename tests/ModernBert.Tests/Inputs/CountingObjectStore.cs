using ModernBert.Storage;
using ModernBert.Tests.Storage;

namespace ModernBert.Tests.Inputs;

/// <summary>Passes reads to another store and counts them, to check how a reader reaches the bytes.</summary>
internal sealed class CountingObjectStore(IObjectStore inner) : DelegatingObjectStore(inner)
{
    public int SequentialOpens { get; private set; }
    public int RangeReads { get; private set; }
    public long RangeBytes { get; private set; }

    public override Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        SequentialOpens++;
        return Inner.OpenReadAsync(key, cancellationToken);
    }

    public override async Task<byte[]> ReadRangeAsync(string key, long offset, int length, CancellationToken cancellationToken)
    {
        byte[] data = await Inner.ReadRangeAsync(key, offset, length, cancellationToken);
        RangeReads++;
        RangeBytes += data.Length;
        return data;
    }
}
