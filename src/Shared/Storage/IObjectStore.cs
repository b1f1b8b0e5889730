namespace ModernBert.Storage;

/// <summary>
/// A flat namespace of objects under one root (a local folder or a blob container prefix), addressed by
/// '/'-separated keys relative to that root. Every method is safe to call concurrently.
/// </summary>
public interface IObjectStore
{
    /// <summary>Where a key lives, for messages and manifests: a file path or a blob URL (never with credentials).</summary>
    string Describe(string key);

    /// <summary>The object's length in bytes, or null when it does not exist.</summary>
    Task<long?> GetLengthAsync(string key, CancellationToken cancellationToken);

    /// <summary>Opens the object for sequential reading. Throws <see cref="ObjectNotFoundException"/> when missing.</summary>
    Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>Reads <paramref name="length"/> bytes at <paramref name="offset"/>; fewer only at the end of the object.</summary>
    Task<byte[]> ReadRangeAsync(string key, long offset, int length, CancellationToken cancellationToken);

    /// <summary>Creates or replaces the whole object atomically: readers see the old content or the new, never a mix.</summary>
    Task WriteAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>
    /// Appends <paramref name="data"/> to an append-only object whose current length must be exactly
    /// <paramref name="offset"/> (0 creates it). Throws <see cref="AppendConflictException"/> otherwise, also when the
    /// object is missing and the offset is not 0. Data is durable when the call returns. A failed call may leave part
    /// of the data appended; when the object holds exactly a leading part (or all) of <paramref name="data"/> past
    /// <paramref name="offset"/>, as an earlier attempt of the same append leaves it, the call appends the rest and
    /// succeeds, so retrying an append is safe.
    /// </summary>
    Task AppendAsync(string key, long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>
    /// Makes an append-only object take no more appends: every later <see cref="AppendAsync"/> to it throws
    /// <see cref="ObjectSealedException"/>, and its length is final once the call returns true. True also when the
    /// object is missing, already sealed, or was written whole; false when this storage cannot seal it (an Azure
    /// account with a hierarchical namespace, a file owned by another user), which leaves it as it was.
    /// </summary>
    Task<bool> SealAsync(string key, CancellationToken cancellationToken);

    /// <summary>Lists the objects whose keys start with <paramref name="prefix"/>, in ordinal key order.</summary>
    IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Deletes the object; succeeds when it does not exist.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Takes the exclusive lease on the object (created empty when missing): an exclusive lock held open on a local
    /// file, a blob lease renewed in the background. Returns null at once when another holder has it.
    /// </summary>
    Task<IObjectLease?> TryAcquireLeaseAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Whether a holder has the object's lease now, asked without taking it (false when the object is missing). A blob
    /// lease whose holder died counts as held until it expires; a local lock is released as its process ends.
    /// </summary>
    Task<bool> IsLeasedAsync(string key, CancellationToken cancellationToken);
}

/// <summary>An object's key relative to the store root and its length in bytes.</summary>
public sealed record ObjectInfo(string Key, long Length);

public sealed class ObjectNotFoundException(string location)
    : IOException($"{location} does not exist.")
{
    public string Location { get; } = location;
}

public sealed class ObjectSealedException(string location)
    : IOException($"Cannot append to {location}: it is sealed.")
{
    public string Location { get; } = location;
}

public sealed class AppendConflictException(string location, long expectedOffset, long actualLength)
    : IOException($"Cannot append to {location} at offset {expectedOffset}: its length is {actualLength}.")
{
    public long ExpectedOffset { get; } = expectedOffset;
    public long ActualLength { get; } = actualLength;
}
