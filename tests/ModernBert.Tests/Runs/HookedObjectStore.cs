using ModernBert.Storage;

namespace ModernBert.Tests.Runs;

/// <summary>
/// A real store whose changes (writes, appends, deletes) first run a hook, which can hold them (a slow store) or
/// throw (a process that dies before the change); reads pass straight through.
/// </summary>
internal sealed class HookedObjectStore(IObjectStore inner) : IObjectStore
{
    private int _changes;

    /// <summary>Runs before each change with its number (1, 2, ...), the kind of change and the key.</summary>
    public Func<int, ChangeKind, string, Task> BeforeChange { get; set; } = (_, _, _) => Task.CompletedTask;

    public string Describe(string key) => inner.Describe(key);

    public Task<long?> GetLengthAsync(string key, CancellationToken cancellationToken) => inner.GetLengthAsync(key, cancellationToken);

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken) => inner.OpenReadAsync(key, cancellationToken);

    public Task<byte[]> ReadRangeAsync(string key, long offset, int length, CancellationToken cancellationToken) =>
        inner.ReadRangeAsync(key, offset, length, cancellationToken);

    public async Task WriteAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        await Before(ChangeKind.Write, key);
        await inner.WriteAsync(key, content, cancellationToken);
    }

    public async Task AppendAsync(string key, long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await Before(ChangeKind.Append, key);
        await inner.AppendAsync(key, offset, data, cancellationToken);
    }

    public IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        await Before(ChangeKind.Delete, key);
        await inner.DeleteAsync(key, cancellationToken);
    }

    private Task Before(ChangeKind kind, string key) => BeforeChange(Interlocked.Increment(ref _changes), kind, key);
}

internal enum ChangeKind
{
    Write,
    Append,
    Delete,
}
