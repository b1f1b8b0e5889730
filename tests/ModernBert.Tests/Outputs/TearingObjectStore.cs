using ModernBert.Storage;
using ModernBert.Tests.Storage;

namespace ModernBert.Tests.Outputs;

/// <summary>An object store whose chosen append writes only the first half of its data, then fails, as a crash would.</summary>
internal sealed class TearingObjectStore(IObjectStore inner, int tornAppend) : DelegatingObjectStore(inner)
{
    private int _appends;

    public override async Task AppendAsync(string key, long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _appends) != tornAppend)
        {
            await Inner.AppendAsync(key, offset, data, cancellationToken);
            return;
        }
        await Inner.AppendAsync(key, offset, data[..(data.Length / 2)], cancellationToken);
        throw new IOException($"Simulated failure after appending {data.Length / 2} of {data.Length} bytes to {key}.");
    }
}
