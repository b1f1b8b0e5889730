using ModernBert.Storage;
using ModernBert.Tests.Storage;

namespace ModernBert.Tests.Runs;

/// <summary>
/// A real store whose changes (writes, appends, seals, deletes) first run a hook, which can hold them (a slow store) or
/// throw (a process that dies before the change); reads pass straight through.
/// </summary>
internal sealed class HookedObjectStore(IObjectStore inner) : DelegatingObjectStore(inner)
{
    private int _changes;

    /// <summary>Runs before each change with its number (1, 2, ...), the kind of change and the key.</summary>
    public Func<int, ChangeKind, string, Task> BeforeChange { get; set; } = (_, _, _) => Task.CompletedTask;

    public override async Task WriteAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        await Before(ChangeKind.Write, key);
        await Inner.WriteAsync(key, content, cancellationToken);
    }

    public override async Task AppendAsync(string key, long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await Before(ChangeKind.Append, key);
        await Inner.AppendAsync(key, offset, data, cancellationToken);
    }

    public override async Task<bool> SealAsync(string key, CancellationToken cancellationToken)
    {
        await Before(ChangeKind.Seal, key);
        return await Inner.SealAsync(key, cancellationToken);
    }

    public override async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        await Before(ChangeKind.Delete, key);
        await Inner.DeleteAsync(key, cancellationToken);
    }

    private Task Before(ChangeKind kind, string key) => BeforeChange(Interlocked.Increment(ref _changes), kind, key);
}

internal enum ChangeKind
{
    Write,
    Append,
    Seal,
    Delete,
}
