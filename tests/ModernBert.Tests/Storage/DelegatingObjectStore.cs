using ModernBert.Storage;

namespace ModernBert.Tests.Storage;

/// <summary>
/// A store that passes every call to another: the base of the tests' fault-injecting and counting stores, which
/// override only the calls they change.
/// </summary>
internal abstract class DelegatingObjectStore(IObjectStore inner) : IObjectStore
{
    protected IObjectStore Inner => inner;

    public virtual string Describe(string key) => inner.Describe(key);

    public virtual Task<long?> GetLengthAsync(string key, CancellationToken cancellationToken) => inner.GetLengthAsync(key, cancellationToken);

    public virtual Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken) => inner.OpenReadAsync(key, cancellationToken);

    public virtual Task<byte[]> ReadRangeAsync(string key, long offset, int length, CancellationToken cancellationToken) =>
        inner.ReadRangeAsync(key, offset, length, cancellationToken);

    public virtual Task WriteAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        inner.WriteAsync(key, content, cancellationToken);

    public virtual Task AppendAsync(string key, long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        inner.AppendAsync(key, offset, data, cancellationToken);

    public virtual Task<bool> SealAsync(string key, CancellationToken cancellationToken) => inner.SealAsync(key, cancellationToken);

    public virtual IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken) =>
        inner.ListAsync(prefix, cancellationToken);

    public virtual Task DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);

    public virtual Task<IObjectLease?> TryAcquireLeaseAsync(string key, CancellationToken cancellationToken) =>
        inner.TryAcquireLeaseAsync(key, cancellationToken);

    public virtual Task<bool> IsLeasedAsync(string key, CancellationToken cancellationToken) => inner.IsLeasedAsync(key, cancellationToken);
}
