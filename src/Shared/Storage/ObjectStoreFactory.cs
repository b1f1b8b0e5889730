using System.Collections.Concurrent;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging;
using ModernBert.Resilience;
using Polly;

namespace ModernBert.Storage;

/// <summary>An object: the store of its folder and its key there.</summary>
public sealed record ObjectReference(IObjectStore Store, string Key);

/// <summary>
/// The objects a location matches, with keys relative to <see cref="Store"/>, in ordinal key order;
/// <paramref name="Named"/>: the location named its one object, rather than a folder or a glob.
/// </summary>
public sealed record ObjectListing(IObjectStore Store, IReadOnlyList<ObjectInfo> Objects, bool Named = false);

/// <summary>
/// Turns locations into stores: local folders or blob containers, each wrapped in a <see cref="ResilientObjectStore"/>
/// (one pipeline, hence one circuit breaker, per storage account). Keep one factory for the life of the process (RemoteDependencies registers it).
/// </summary>
public sealed class ObjectStoreFactory
{
    private readonly AzureBlobServiceClients _azure;
    private readonly ResilienceOptions _resilience;
    private readonly ILogger _logger;
    private readonly TimeProvider? _timeProvider;
    private readonly ConcurrentDictionary<string, ResiliencePipeline> _pipelines = new(StringComparer.Ordinal);

    /// <param name="environment">Reads environment variables (AZURE_STORAGE_CONNECTION_STRING); the process environment when null.</param>
    public ObjectStoreFactory(StorageOptions storage, ResilienceOptions resilience, ILoggerFactory loggerFactory,
        TimeProvider? timeProvider = null, Func<string, string?>? environment = null)
    {
        _azure = new AzureBlobServiceClients(storage.Azure, environment);
        _resilience = resilience;
        _logger = loggerFactory.CreateLogger<ObjectStoreFactory>();
        _timeProvider = timeProvider;
    }

    /// <summary>A store rooted at the location, which names a folder (for outputs and state).</summary>
    public IObjectStore OpenFolder(StoreLocation location)
    {
        if (location.Pattern != null)
            throw new StorageLocationException(location.Text, "a folder location cannot hold wildcards.");
        return Open(location, location.Folder);
    }

    /// <summary>The object the location names: the store of its folder and its key.</summary>
    public ObjectReference OpenObject(StoreLocation location)
    {
        if (location.Pattern != null)
            throw new StorageLocationException(location.Text, "an object location cannot hold wildcards.");
        int slash = location.Folder.LastIndexOf('/');
        string name = location.Folder[(slash + 1)..];
        if (name.Length == 0)
            throw new StorageLocationException(location.Text, "it names a folder or container, not an object.");
        string parent = slash < 0 ? "" : slash == 0 ? "/" : location.Folder[..slash];
        return new ObjectReference(Open(location, parent), name);
    }

    /// <summary>
    /// The objects the location matches: those matching its glob, or else the object it names, or else (when no
    /// such object exists) every object under it as a folder. An empty listing is no error here.
    /// </summary>
    public async Task<ObjectListing> ListAsync(StoreLocation location, CancellationToken cancellationToken)
    {
        if (location.Pattern is GlobPattern pattern)
        {
            IObjectStore root = Open(location, location.Folder);
            List<ObjectInfo> matches = await root.ListAsync(pattern.StaticPrefix, cancellationToken)
                .Where(item => pattern.IsMatch(item.Key)).ToListAsync(cancellationToken);
            return new ObjectListing(root, matches);
        }
        if (location.Folder.Trim('/').Length > 0)
        {
            ObjectReference single = OpenObject(location);
            if (await single.Store.GetLengthAsync(single.Key, cancellationToken) is long length)
                return new ObjectListing(single.Store, [new ObjectInfo(single.Key, length)], Named: true);
        }
        IObjectStore folder = OpenFolder(location);
        return new ObjectListing(folder, await folder.ListAsync("", cancellationToken).ToListAsync(cancellationToken));
    }

    private ResilientObjectStore Open(StoreLocation location, string folder)
    {
        if (location.Kind == StoreKind.Local)
            return new ResilientObjectStore(new LocalObjectStore(folder), PipelineFor("local"));
        BlobServiceClient service = _azure.For(location);
        var store = new AzureBlobObjectStore(service.GetBlobContainerClient(location.Container), folder);
        return new ResilientObjectStore(store, PipelineFor(service.Uri.GetLeftPart(UriPartial.Path)));
    }

    private ResiliencePipeline PipelineFor(string account) =>
        _pipelines.GetOrAdd(account, _ => ResilientObjectStore.CreatePipeline(_resilience, _logger, _timeProvider));
}
