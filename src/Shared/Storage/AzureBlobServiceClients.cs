using System.Collections.Concurrent;
using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;

namespace ModernBert.Storage;

/// <summary>
/// Blob service clients for locations: the configured account (connection string, or account name with the ambient
/// Azure identity) and, for URLs of other accounts, the ambient identity. The clients do not retry: the resilience
/// pipeline of <see cref="ResilientObjectStore"/> does, so the policy lives in one place.
/// </summary>
internal sealed class AzureBlobServiceClients
{
    private readonly AzureStorageOptions _options;
    private readonly Func<string, string?>? _environment;
    private readonly Lazy<BlobServiceClient?> _configured;
    private readonly Lazy<TokenCredential> _identity = new(() => new DefaultAzureCredential());
    private readonly ConcurrentDictionary<string, BlobServiceClient> _byEndpoint = new(StringComparer.OrdinalIgnoreCase);

    public AzureBlobServiceClients(AzureStorageOptions options, Func<string, string?>? environment = null)
    {
        _options = options;
        _environment = environment;
        _configured = new Lazy<BlobServiceClient?>(CreateConfigured);
    }

    public BlobServiceClient For(StoreLocation location)
    {
        BlobServiceClient? configured;
        try
        {
            configured = _configured.Value;
        }
        catch (Exception e) when (e is ConfigurationException or FormatException or ArgumentException)
        {
            throw new StorageLocationException(location.Text, e.Message);
        }
        if (location.ServiceUri == null)
        {
            return configured ?? throw new StorageLocationException(location.Text,
                "no Azure Storage account is configured: set Storage:Azure:ConnectionString, Storage:Azure:ConnectionStringFile " +
                $"or {AzureStorageOptions.ConnectionStringVariable}, or Storage:Azure:AccountName to use the Azure identity (workload identity).");
        }
        if (configured != null && EndpointKey(configured.Uri) == EndpointKey(location.ServiceUri))
            return configured;
        if (!location.ServiceUri.Host.Contains(".blob.", StringComparison.OrdinalIgnoreCase))
        {
            throw new StorageLocationException(location.Text,
                $"no credentials for {location.ServiceUri}: configure a connection string for that endpoint (Storage:Azure:ConnectionString).");
        }
        return _byEndpoint.GetOrAdd(EndpointKey(location.ServiceUri), _ => new BlobServiceClient(location.ServiceUri, _identity.Value, ClientOptions()));
    }

    private BlobServiceClient? CreateConfigured()
    {
        string? connectionString = _options.ResolveConnectionString(_environment);
        if (connectionString != null)
        {
            try
            {
                return new BlobServiceClient(connectionString, ClientOptions());
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                // The parser's messages describe the format, never the secret's content.
                throw new ConfigurationException($"the configured Azure Storage connection string is malformed: {e.Message}", e);
            }
        }
        if (string.IsNullOrWhiteSpace(_options.AccountName))
            return null;
        Uri endpoint = _options.BlobEndpoint ?? new Uri($"https://{_options.AccountName}.blob.core.windows.net");
        return new BlobServiceClient(endpoint, _identity.Value, ClientOptions());
    }

    private static BlobClientOptions ClientOptions()
    {
        var options = new BlobClientOptions();
        options.Retry.MaxRetries = 0;
        return options;
    }

    private static string EndpointKey(Uri endpoint) => endpoint.GetLeftPart(UriPartial.Path).TrimEnd('/').ToLowerInvariant();
}
