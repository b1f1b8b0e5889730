using ModernBert.Composition;
namespace ModernBert.Storage;

/// <summary>Storage settings, bound from the configuration section <c>Storage</c> (appsettings, <c>Storage__Azure__...</c> variables, command line).</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    public AzureStorageOptions Azure { get; set; } = new();

    public override string ToString() => $"Storage {{ {Azure} }}";
}

/// <summary>
/// How to reach Azure Storage: a connection string (given directly, in a file such as a mounted Kubernetes Secret, or in
/// the standard <c>AZURE_STORAGE_CONNECTION_STRING</c> variable), or an account name used with the ambient Azure
/// identity (workload identity, managed identity, developer login). Connection strings are secrets: never print them.
/// </summary>
public sealed class AzureStorageOptions
{
    public const string ConnectionStringVariable = "AZURE_STORAGE_CONNECTION_STRING";

    /// <summary>A storage connection string (secret).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>A file whose content is the connection string.</summary>
    public string? ConnectionStringFile { get; set; }

    /// <summary>The account used with the ambient Azure identity when no connection string is given.</summary>
    public string? AccountName { get; set; }

    /// <summary>The blob endpoint for <see cref="AccountName"/>; defaults to https://ACCOUNT.blob.core.windows.net.</summary>
    public Uri? BlobEndpoint { get; set; }

    /// <summary>
    /// The connection string to use: <see cref="ConnectionString"/>, else the content of
    /// <see cref="ConnectionStringFile"/>, else the <c>AZURE_STORAGE_CONNECTION_STRING</c> variable; null when none is set.
    /// </summary>
    public string? ResolveConnectionString(Func<string, string?>? environment = null)
    {
        if (!string.IsNullOrWhiteSpace(ConnectionString))
            return ConnectionString.Trim();
        if (!string.IsNullOrWhiteSpace(ConnectionStringFile))
            return SecretFile.Read(ConnectionStringFile, "Storage:Azure:ConnectionStringFile", "the Azure Storage connection string");
        string? fromVariable = (environment ?? Environment.GetEnvironmentVariable)(ConnectionStringVariable);
        return string.IsNullOrWhiteSpace(fromVariable) ? null : fromVariable.Trim();
    }

    /// <summary>Says which settings are present without showing any secret.</summary>
    public override string ToString() =>
        $"Azure {{ ConnectionString = {(string.IsNullOrWhiteSpace(ConnectionString) ? "(none)" : "(hidden)")}, " +
        $"ConnectionStringFile = {ConnectionStringFile ?? "(none)"}, AccountName = {AccountName ?? "(none)"}, " +
        $"BlobEndpoint = {BlobEndpoint?.ToString() ?? "(default)"} }}";
}
