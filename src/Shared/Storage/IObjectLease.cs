namespace ModernBert.Storage;

/// <summary>
/// An exclusive hold on one object, taken with <see cref="IObjectStore.TryAcquireLeaseAsync"/> and held until disposed
/// (or, for a blob lease, until it could not be renewed in time). A process that dies loses it: a local lock at once,
/// a blob lease when its duration runs out.
/// </summary>
public interface IObjectLease : IAsyncDisposable
{
    /// <summary>Cancelled once the lease may have passed to another holder: whatever the lease guards must stop writing.</summary>
    CancellationToken Lost { get; }
}
