namespace ModernBert.Hub;

/// <summary>A snapshot as the cache holds it, without the network: a file not cached counts as absent.</summary>
internal sealed class CachedSnapshot(HubRepositoryCache cache, HubRepositoryId repository, string revision, string commit, string cacheOnlyReason)
    : ISnapshotSource
{
    public string Folder { get; } = cache.SnapshotFolder(commit);

    public Task<bool> EnsureAsync(string file, CancellationToken cancellationToken) => Task.FromResult(cache.HasFile(commit, file));

    public ModelResolutionException Missing(string what) =>
        new($"The {what} of {repository} at revision {revision} (commit {commit}) is not in the Hugging Face cache {cache.Folder}{cacheOnlyReason}");
}
