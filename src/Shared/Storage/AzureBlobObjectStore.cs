using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace ModernBert.Storage;

/// <summary>
/// Objects as blobs of one container under a key prefix. Whole writes are block blob uploads (atomic); appends go to
/// append blobs with an append-position condition, and sealing seals the append blob. The client should not retry by
/// itself: retries belong to <see cref="ResilientObjectStore"/>, and a retried append is recognised here (see
/// <see cref="AppendRecovery"/>).
/// </summary>
public sealed class AzureBlobObjectStore : IObjectStore
{
    /// <summary>The largest block one append sends; 4 MiB is what every service version and Azurite accept.</summary>
    public const int MaxAppendBlockBytes = 4 * 1024 * 1024;

    private const int ReadBufferBytes = 4 * 1024 * 1024;
    private const string BlobIsSealed = "BlobIsSealed";
    private readonly BlobContainerClient _container;
    private readonly string _prefix;

    /// <param name="container">The container; its client decides the credentials.</param>
    /// <param name="keyPrefix">Prepended to every key ("" or a folder such as "runs/42", with or without the final '/').</param>
    public AzureBlobObjectStore(BlobContainerClient container, string keyPrefix = "")
    {
        _container = container;
        _prefix = keyPrefix.Length == 0 || keyPrefix.EndsWith('/') ? keyPrefix : keyPrefix + "/";
    }

    public string Describe(string key) =>
        _prefix.Length + key.Length == 0 ? ContainerUrl : BlobUrl(_container.GetBlobClient(_prefix + key));

    public async Task<long?> GetLengthAsync(string key, CancellationToken cancellationToken) =>
        (await GetPropertiesAsync(key, cancellationToken))?.ContentLength;

    public async Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            // A lazily reading stream of ranged downloads; it fails rather than mix contents if the blob is replaced.
            return await _container.GetBlobClient(BlobName(key)).OpenReadAsync(
                new BlobOpenReadOptions(allowModifications: false) { BufferSize = ReadBufferBytes }, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw NotFound(e, key);
        }
    }

    public async Task<byte[]> ReadRangeAsync(string key, long offset, int length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length == 0)
            return await GetLengthAsync(key, cancellationToken) == null ? throw new ObjectNotFoundException(Describe(key)) : [];
        try
        {
            BlobDownloadStreamingResult download = await _container.GetBlobClient(BlobName(key)).DownloadStreamingAsync(
                new BlobDownloadOptions { Range = new HttpRange(offset, length) }, cancellationToken);
            await using Stream content = download.Content;
            byte[] buffer = new byte[download.Details.ContentLength];
            await content.ReadExactlyAsync(buffer, cancellationToken);
            return buffer;
        }
        catch (RequestFailedException e) when (e.Status == 416)
        {
            return []; // the range starts at or past the end
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw NotFound(e, key);
        }
    }

    public async Task WriteAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        try
        {
            await _container.GetBlobClient(BlobName(key)).UploadAsync(BinaryData.FromBytes(content), overwrite: true, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw NotFound(e, key);
        }
    }

    public async Task AppendAsync(string key, long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        AppendBlobClient blob = _container.GetAppendBlobClient(BlobName(key));
        try
        {
            // An existing blob is fine here: the first block's position condition checks its length.
            if (offset == 0)
                await blob.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            if (data.IsEmpty)
            {
                await CheckLengthAsync(key, offset, cancellationToken);
                return;
            }
            int appended = 0;
            while (appended < data.Length)
            {
                ReadOnlyMemory<byte> block = data.Slice(appended, Math.Min(MaxAppendBlockBytes, data.Length - appended));
                try
                {
                    await using Stream content = BinaryData.FromBytes(block).ToStream();
                    await blob.AppendBlockAsync(content, new AppendBlobAppendBlockOptions
                    {
                        Conditions = new AppendBlobRequestConditions { IfAppendPositionEqual = offset + appended },
                    }, cancellationToken);
                    appended += block.Length;
                }
                catch (RequestFailedException e) when (e.Status == 412)
                {
                    appended = await ResumePointAsync(key, offset, data, appended, cancellationToken);
                }
            }
        }
        catch (RequestFailedException e) when (e.Status == 404 && e.ErrorCode != BlobErrorCode.ContainerNotFound)
        {
            throw new AppendConflictException(Describe(key), offset, actualLength: 0);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw ContainerMissing(key);
        }
        catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.InvalidBlobType)
        {
            // Not an IOException: retrying cannot help.
            throw new InvalidOperationException($"Cannot append to {Describe(key)}: it exists and is not an append blob (it was written whole).", e);
        }
        catch (RequestFailedException e) when (e.ErrorCode == BlobIsSealed)
        {
            throw new ObjectSealedException(Describe(key));
        }
    }

    public async Task<bool> SealAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            await _container.GetAppendBlobClient(BlobName(key)).SealAsync(cancellationToken: cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 404 && e.ErrorCode != BlobErrorCode.ContainerNotFound || e.ErrorCode == BlobErrorCode.InvalidBlobType)
        {
            return true; // missing, or a block blob: it takes no appends either way
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw ContainerMissing(key);
        }
        catch (RequestFailedException e) when (e.Status is 400 or 405 or 409 or 501)
        {
            return false; // a hierarchical namespace refuses it (as Azurite before 3.35 did)
        }
    }

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The service lists in its own collation; the contract promises ordinal order, so sort the whole listing.
        List<ObjectInfo> items = await ListUnorderedAsync(prefix, cancellationToken);
        items.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (ObjectInfo item in items)
            yield return item;
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            await _container.GetBlobClient(BlobName(key)).DeleteIfExistsAsync(cancellationToken: cancellationToken);
        }
        catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            // Nothing to delete.
        }
    }

    public async Task<IObjectLease?> TryAcquireLeaseAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return await BlobLease.TryAcquireAsync(_container.GetBlobClient(BlobName(key)), TimeProvider.System, cancellationToken);
        }
        catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            throw ContainerMissing(key);
        }
    }

    public async Task<bool> IsLeasedAsync(string key, CancellationToken cancellationToken) =>
        (await GetPropertiesAsync(key, cancellationToken))?.LeaseState is LeaseState.Leased or LeaseState.Breaking;

    /// <summary>The blob's properties, or null when it does not exist; a missing container is an error naming it.</summary>
    private async Task<BlobProperties?> GetPropertiesAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return await _container.GetBlobClient(BlobName(key)).GetPropertiesAsync(cancellationToken: cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404 && e.ErrorCode != BlobErrorCode.ContainerNotFound)
        {
            return null;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw ContainerMissing(key);
        }
    }

    private string ContainerUrl => _container.Uri.GetLeftPart(UriPartial.Path);

    /// <summary>The blob's address without any query (so never a SAS token).</summary>
    private static string BlobUrl(BlobBaseClient blob) => blob.Uri.GetLeftPart(UriPartial.Path);

    private async Task<List<ObjectInfo>> ListUnorderedAsync(string prefix, CancellationToken cancellationToken)
    {
        try
        {
            return await _container.GetBlobsAsync(new GetBlobsOptions { Prefix = _prefix + prefix }, cancellationToken)
                .Select(item => new ObjectInfo(item.Name[_prefix.Length..], item.Properties.ContentLength ?? 0))
                .ToListAsync(cancellationToken);
        }
        catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            throw ContainerMissing(prefix);
        }
    }

    /// <summary>
    /// After an append-position failure: where to go on when the blob holds our own data up to past
    /// <paramref name="appended"/> (an earlier attempt landed), or the conflict otherwise.
    /// </summary>
    private async Task<int> ResumePointAsync(string key, long offset, ReadOnlyMemory<byte> data, int appended, CancellationToken cancellationToken)
    {
        long length = await GetLengthAsync(key, cancellationToken) ?? 0;
        int? present = await AppendRecovery.BytesAlreadyAppendedAsync(this, key, offset, data, length, cancellationToken);
        return present is int bytes && bytes > appended ? bytes : throw new AppendConflictException(Describe(key), offset, length);
    }

    private async Task CheckLengthAsync(string key, long offset, CancellationToken cancellationToken)
    {
        long length = await GetLengthAsync(key, cancellationToken) ?? 0;
        if (length != offset)
            throw new AppendConflictException(Describe(key), offset, length);
    }

    private string BlobName(string key)
    {
        if (key.Length == 0 || key.StartsWith('/') || key.Split('/').Any(segment => segment is "." or ".."))
            throw new ArgumentException($"Invalid object key '{key}' under {ContainerUrl}/{_prefix}: it must be relative, without '.' or '..' segments.", nameof(key));
        return _prefix + key;
    }

    private Exception NotFound(RequestFailedException failure, string key) =>
        failure.ErrorCode == BlobErrorCode.ContainerNotFound ? ContainerMissing(key) : new ObjectNotFoundException(Describe(key));

    private StorageFailureException ContainerMissing(string key) =>
        new($"The blob container {ContainerUrl} does not exist (needed for {_prefix}{key}): create it or correct the location.");
}
