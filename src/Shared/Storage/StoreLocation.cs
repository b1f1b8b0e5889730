using System.Text.RegularExpressions;

namespace ModernBert.Storage;

public enum StoreKind
{
    /// <summary>Files under a local (or mounted) folder.</summary>
    Local,

    /// <summary>Blobs of an Azure Storage container (or Azurite).</summary>
    AzureBlob,
}

/// <summary>
/// Where objects live, as users write it: a local path (absolute, relative or <c>file:///</c>), <c>az://container/path</c>
/// (the account comes from configuration), <c>https://account.blob.core.windows.net/container/path</c>, or the path-style
/// URL of an emulator such as <c>http://127.0.0.1:10000/devstoreaccount1/container/path</c>. The path may end in a glob
/// (<c>az://corpus/2026-*/part-*.jsonl.gz</c>, <c>data/**/*.jsonl</c>): <see cref="Folder"/> is the part before the first
/// segment with a wildcard and <see cref="Pattern"/> the rest, matched against keys relative to the folder.
/// URLs carry no credentials: a '?' is a wildcard, never the start of a SAS token.
/// </summary>
public sealed partial class StoreLocation
{
    private StoreLocation(string text, StoreKind kind, Uri? serviceUri, string? container, string folder, GlobPattern? pattern)
    {
        Text = text;
        Kind = kind;
        ServiceUri = serviceUri;
        Container = container;
        Folder = folder;
        Pattern = pattern;
    }

    /// <summary>The location as it was written.</summary>
    public string Text { get; }

    public StoreKind Kind { get; }

    /// <summary>The blob service endpoint (with the account), or null for a local path or <c>az://</c> (the configured account).</summary>
    public Uri? ServiceUri { get; }

    /// <summary>The blob container; null for a local path.</summary>
    public string? Container { get; }

    /// <summary>
    /// The folder before any wildcard: an absolute path for a local location, a '/'-separated key prefix without
    /// leading or trailing '/' inside the container ("" for the whole container) for a blob location.
    /// </summary>
    public string Folder { get; }

    /// <summary>The glob relative to <see cref="Folder"/>, or null when the location has no wildcard.</summary>
    public GlobPattern? Pattern { get; }

    public override string ToString() => Text;

    /// <summary>
    /// The location with a relative local path made absolute (other locations unchanged), so that every process, with
    /// whatever working directory, resolves it the same way.
    /// </summary>
    public static string Absolute(string text) =>
        Parse(text).Kind == StoreKind.Local && !text.StartsWith("file:", StringComparison.Ordinal) ? Path.GetFullPath(text) : text;

    /// <summary>Parses a location; throws <see cref="StorageLocationException"/> saying what is wrong.</summary>
    public static StoreLocation Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw new StorageLocationException(text ?? "", "the location is empty.");
        Match scheme = SchemePrefix().Match(text);
        if (!scheme.Success)
            return Local(text, Path.GetFullPath(text));
        string rest = text[scheme.Length..];
        return scheme.Groups[1].Value.ToLowerInvariant() switch
        {
            "file" => rest.StartsWith('/')
                ? Local(text, Uri.UnescapeDataString(rest))
                : throw new StorageLocationException(text, "a file:// location must hold an absolute path, as in file:///data/corpus."),
            "az" => Blob(text, serviceUri: null, rest),
            "http" or "https" => BlobUrl(text, scheme.Groups[1].Value.ToLowerInvariant(), rest),
            string other => throw new StorageLocationException(text,
                $"unknown scheme '{other}://'; use a local path, file:///path, az://container/path, " +
                "https://account.blob.core.windows.net/container/path or http://host:port/account/container/path."),
        };
    }

    private static StoreLocation Local(string text, string absolutePath)
    {
        string path = Path.GetFullPath(absolutePath);
        (string folder, string? pattern) = SplitAtWildcard(path.Length > 1 ? path.TrimEnd('/') : path, folderIsRoot: path.StartsWith('/'));
        return new StoreLocation(text, StoreKind.Local, null, null, folder, pattern == null ? null : new GlobPattern(pattern));
    }

    private static StoreLocation BlobUrl(string text, string scheme, string rest)
    {
        int slash = rest.IndexOf('/');
        string authority = slash < 0 ? rest : rest[..slash];
        string path = slash < 0 ? "" : rest[(slash + 1)..];
        if (authority.Length == 0 || !Uri.TryCreate($"{scheme}://{authority}", UriKind.Absolute, out Uri? host))
            throw new StorageLocationException(text, "the URL has no valid host.");
        if (host.Host.Contains(".blob.", StringComparison.OrdinalIgnoreCase))
            return Blob(text, host, path); // https://account.blob.core.windows.net/container/path
        // Path style (emulators): the account is the first path segment.
        int accountEnd = path.IndexOf('/');
        string account = accountEnd < 0 ? path : path[..accountEnd];
        if (account.Length == 0)
            throw new StorageLocationException(text,
                "a blob URL must be https://account.blob.core.windows.net/container/path or, for an emulator, http://host:port/account/container/path.");
        return Blob(text, new Uri($"{scheme}://{authority}/{account}"), accountEnd < 0 ? "" : path[(accountEnd + 1)..]);
    }

    private static StoreLocation Blob(string text, Uri? serviceUri, string containerAndPath)
    {
        int containerEnd = containerAndPath.IndexOf('/');
        string container = containerEnd < 0 ? containerAndPath : containerAndPath[..containerEnd];
        if (container.Length == 0)
            throw new StorageLocationException(text, "it names no container.");
        if (!ContainerName().IsMatch(container))
            throw new StorageLocationException(text,
                $"'{container}' is not a valid container name (3 to 63 lowercase letters, digits and single hyphens, starting with a letter or digit).");
        string[] segments = containerEnd < 0 ? [] : containerAndPath[(containerEnd + 1)..].Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Any(segment => segment is "." or ".."))
            throw new StorageLocationException(text, "blob paths cannot hold '.' or '..' segments.");
        (string folder, string? pattern) = SplitAtWildcard(string.Join('/', segments), folderIsRoot: false);
        return new StoreLocation(text, StoreKind.AzureBlob, serviceUri, container, folder, pattern == null ? null : new GlobPattern(pattern));
    }

    private static (string Folder, string? Pattern) SplitAtWildcard(string path, bool folderIsRoot)
    {
        int wildcard = path.IndexOfAny(['*', '?']);
        if (wildcard < 0)
            return (path, null);
        int folderEnd = path.LastIndexOf('/', wildcard);
        if (folderEnd < 0)
            return ("", path);
        string folder = folderEnd == 0 && folderIsRoot ? "/" : path[..folderEnd];
        return (folder, path[(folderEnd + 1)..]);
    }

    [GeneratedRegex("^([a-zA-Z][a-zA-Z0-9+.-]*)://")]
    private static partial Regex SchemePrefix();

    [GeneratedRegex("^(?=.{3,63}$)[a-z0-9](?:-?[a-z0-9])*$")]
    private static partial Regex ContainerName();
}
