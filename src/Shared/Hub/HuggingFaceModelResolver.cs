using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using ModernBert.Inference;
using ModernBert.Resilience;

namespace ModernBert.Hub;

/// <summary>
/// Turns a model reference into a local model folder: an existing folder as it is, or a Hugging Face hub id
/// (<c>owner/name</c> or <c>name</c>) into its snapshot folder in the standard hub cache, downloading what the cache
/// lacks of the files this product reads (see <see cref="ModelFiles"/>). A branch or tag costs one request to learn its
/// commit; a commit hash with a complete snapshot, or offline mode, none. When the hub cannot be reached and the cache
/// holds a complete snapshot of the revision, that snapshot is used. Safe to use from several threads and processes
/// on one cache at once.
/// </summary>
public sealed partial class HuggingFaceModelResolver : IDisposable
{
    private const string OfflineReason =
        ", and offline mode is on (HuggingFace:Offline or HF_HUB_OFFLINE): resolve the model once online, or turn offline mode off.";

    private readonly HuggingFaceOptions _options;
    private readonly HubClient _client;
    private readonly ILogger _logger;

    /// <exception cref="ModelResolutionException">The endpoint is not an http(s) address.</exception>
    /// <exception cref="ConfigurationException">The token file cannot be read.</exception>
    public HuggingFaceModelResolver(HuggingFaceOptions options, ResilienceOptions resilience, ILogger logger)
    {
        _options = options;
        _logger = logger;
        _client = new HubClient(options, resilience, logger);
    }

    /// <summary>
    /// The local folder of a model: <paramref name="reference"/> itself when it is an existing folder, else the snapshot
    /// folder <c>{cache}/models--{owner}--{name}/snapshots/{commit}</c> of the hub repository it names, at
    /// <paramref name="revision"/> (a branch, tag or commit hash; <see cref="HuggingFaceOptions.Revision"/> when null).
    /// The snapshot folder's name is the commit, which pins the exact model for other processes.
    /// </summary>
    /// <exception cref="ModelResolutionException">The reference names no folder and no valid repository, or a folder and a
    /// revision; the repository,
    /// revision or a required file does not exist or is not accessible; a download failed verification; the hub stayed
    /// unreachable through every retry; or offline mode is on and the cache lacks the model.</exception>
    public async Task<string> ResolveAsync(string reference, string? revision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (Directory.Exists(reference))
            return string.IsNullOrWhiteSpace(revision) ? Path.GetFullPath(reference)
                : throw new ModelResolutionException($"The model '{reference}' is a local folder, which has no revision '{revision}': " +
                    "a revision (--revision) names a branch, tag or commit of a Hugging Face repository id.");
        if (File.Exists(reference))
            throw new ModelResolutionException($"The model '{reference}' is a file; give the model's folder or a Hugging Face repository id.");
        if (!HubRepositoryId.TryParse(reference, out HubRepositoryId? repository))
            throw new ModelResolutionException(
                $"The model '{reference}' is neither an existing folder nor a Hugging Face repository id (owner/name, such as answerdotai/ModernBERT-base).");
        revision = string.IsNullOrWhiteSpace(revision) ? _options.Revision : revision.Trim();
        if (!HubRepositoryCache.IsRelativePath(revision))
            throw new ModelResolutionException($"'{revision}' is not a valid revision of {repository} (a branch, tag or commit hash).");

        var cache = new HubRepositoryCache(_options.CacheDirectory, repository);
        string folder = _options.Offline
            ? await ResolveFromCacheAsync(cache, repository, revision, cancellationToken)
            : await ResolveFromHubAsync(cache, repository, revision, cancellationToken);
        _logger.LogDebug("Model {Repository} at revision {Revision} is in {Folder}", repository, revision, folder);
        return folder;
    }

    public void Dispose() => _client.Dispose();

    private static async Task<string> ResolveFromCacheAsync(HubRepositoryCache cache, HubRepositoryId repository, string revision,
        CancellationToken cancellationToken)
    {
        string commit = IsCommitHash(revision) ? revision
            : cache.ReadRef(revision) ?? throw new ModelResolutionException(
                $"Model {repository} at revision {revision} is not in the Hugging Face cache {cache.CacheDirectory}{OfflineReason}");
        var snapshot = new CachedSnapshot(cache, repository, revision, commit, OfflineReason);
        await ModelFiles.FetchAsync(snapshot, cancellationToken);
        return snapshot.Folder;
    }

    private async Task<string> ResolveFromHubAsync(HubRepositoryCache cache, HubRepositoryId repository, string revision,
        CancellationToken cancellationToken)
    {
        // With a complete snapshot at hand, one failed attempt is enough to fall back on it.
        string? cached = await FindCompleteSnapshotAsync(cache, repository, revision, cancellationToken);
        if (IsCommitHash(revision))
        {
            // A cache filled by other tools has no .no_exist entries: the files the model may have beside the required
            // ones (modules.json, say) are still looked up at the commit.
            try
            {
                return await DownloadAsync(cache, repository, revision, revision, knownConfig: null, retryLookups: cached == null, cancellationToken);
            }
            catch (HubUnavailableException e) when (cached != null)
            {
                return FallBack(e, cached, repository, revision);
            }
        }
        HubFileMetadata? config;
        try
        {
            config = await _client.GetMetadataAsync(new HubFile(repository, revision, ModelFolder.ConfigFileName), retry: cached == null,
                cancellationToken);
        }
        catch (HubUnavailableException e) when (cached != null)
        {
            return FallBack(e, cached, repository, revision);
        }
        if (config == null)
            throw new ModelResolutionException($"Repository {repository} at revision {revision} on {_client.Endpoint} has no {ModelFolder.ConfigFileName}.");
        cache.WriteRef(revision, config.Commit);
        return await DownloadAsync(cache, repository, revision, config.Commit, config, retryLookups: true, cancellationToken);
    }

    private string FallBack(HubUnavailableException error, string cached, HubRepositoryId repository, string revision)
    {
        _logger.LogWarning("{Error} Using the cached snapshot {Folder} of {Repository} at revision {Revision}.", error.Message, cached,
            repository, revision);
        return cached;
    }

    private async Task<string> DownloadAsync(HubRepositoryCache cache, HubRepositoryId repository, string revision, string commit,
        HubFileMetadata? knownConfig, bool retryLookups, CancellationToken cancellationToken)
    {
        var snapshot = new DownloadingSnapshot(_client, cache, repository, revision, commit, knownConfig, _logger, retryLookups);
        await ModelFiles.FetchAsync(snapshot, cancellationToken);
        return snapshot.Folder;
    }

    /// <summary>
    /// The snapshot of the revision (a commit hash, or the commit <c>refs/{revision}</c> points to) when it holds every
    /// file the model needs; else null.
    /// </summary>
    private async Task<string?> FindCompleteSnapshotAsync(HubRepositoryCache cache, HubRepositoryId repository, string revision,
        CancellationToken cancellationToken)
    {
        if ((IsCommitHash(revision) ? revision : cache.ReadRef(revision)) is not { } commit)
            return null;
        var snapshot = new CachedSnapshot(cache, repository, revision, commit, ".");
        try
        {
            await ModelFiles.FetchAsync(snapshot, cancellationToken);
            return snapshot.Folder;
        }
        catch (ModelResolutionException e)
        {
            _logger.LogDebug("No complete cached snapshot to fall back on: {Reason}", e.Message);
            return null;
        }
    }

    private static bool IsCommitHash(string revision) => CommitHashPattern().IsMatch(revision);

    [GeneratedRegex("^[0-9a-f]{40}$", RegexOptions.CultureInvariant)]
    private static partial Regex CommitHashPattern();
}
