using Microsoft.Extensions.Logging;
using ModernBert.Inference;

namespace ModernBert.Hub;

/// <summary>
/// A snapshot filled from the hub: a file the cache lacks is looked up at the commit, its blob downloaded (once, under
/// the blob's lock) unless the cache has it from another file or revision, and linked into <c>snapshots/{commit}</c>.
/// A file the hub lacks is remembered under <c>.no_exist/{commit}</c> and not asked for again. With
/// <paramref name="retryLookups"/> false a lookup is tried once (a complete cached snapshot is at hand to fall back on).
/// </summary>
internal sealed class DownloadingSnapshot(
    HubClient client, HubRepositoryCache cache, HubRepositoryId repository, string revision, string commit,
    HubFileMetadata? knownConfig, ILogger logger, bool retryLookups) : ISnapshotSource
{
    public string Folder { get; } = cache.SnapshotFolder(commit);

    public async Task<bool> EnsureAsync(string file, CancellationToken cancellationToken)
    {
        if (cache.HasFile(commit, file))
            return true;
        if (cache.IsKnownMissing(commit, file))
            return false;
        var hubFile = new HubFile(repository, commit, file);
        HubFileMetadata? metadata = file == ModelFolder.ConfigFileName && knownConfig != null
            ? knownConfig
            : await client.GetMetadataAsync(hubFile, retryLookups, cancellationToken);
        if (metadata == null)
        {
            cache.MarkMissing(commit, file);
            return false;
        }
        using (await cache.LockBlobAsync(metadata.ETag, logger, cancellationToken))
        {
            if (!cache.HasBlob(metadata.ETag))
                await DownloadBlobAsync(hubFile, metadata, cancellationToken);
            cache.Link(commit, file, metadata.ETag);
        }
        return true;
    }

    public ModelResolutionException Missing(string what)
    {
        string revisionText = revision == commit ? $"revision {commit}" : $"revision {revision} (commit {commit})";
        return new ModelResolutionException($"Repository {repository} at {revisionText} on {client.Endpoint} has no {what}.");
    }

    private async Task DownloadBlobAsync(HubFile file, HubFileMetadata metadata, CancellationToken cancellationToken)
    {
        string incomplete = cache.NewIncompleteBlobPath(metadata.ETag);
        try
        {
            await using (var output = new FileStream(incomplete, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 0,
                FileOptions.Asynchronous))
            {
                await client.DownloadAsync(file, metadata, output, cancellationToken);
            }
            cache.CommitBlob(incomplete, metadata.ETag);
        }
        finally
        {
            // Nothing is left after the rename; a failed or rejected download is not kept.
            File.Delete(incomplete);
        }
    }
}
