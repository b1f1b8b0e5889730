using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace ModernBert.Hub;

/// <summary>
/// One repository's part of the hub cache, laid out exactly as huggingface_hub lays it out, so that Python tools and
/// this product share downloads: <c>{cache}/models--{owner}--{name}/blobs/{etag}</c> holds each file's content once,
/// <c>snapshots/{commit}/{file}</c> links to the blob (or is a copy where symbolic links fail), <c>refs/{revision}</c>
/// holds the commit a branch or tag pointed to, and <c>.no_exist/{commit}/{file}</c> remembers files the hub does not
/// have. Blobs are written to a unique temporary file and renamed into place, so concurrent writers never corrupt them;
/// a lock file per blob under <c>{cache}/.locks</c> keeps them from downloading the same blob twice.
/// </summary>
internal sealed partial class HubRepositoryCache
{
    private static readonly TimeSpan LockPollInterval = TimeSpan.FromMilliseconds(200);
    private readonly string _locks;

    public HubRepositoryCache(string cacheDirectory, HubRepositoryId repository)
    {
        CacheDirectory = Path.GetFullPath(cacheDirectory);
        Folder = Path.Combine(CacheDirectory, repository.CacheFolderName);
        _locks = Path.Combine(CacheDirectory, ".locks", repository.CacheFolderName);
    }

    public string CacheDirectory { get; }

    /// <summary>The repository's folder, <c>{cache}/models--{owner}--{name}</c>.</summary>
    public string Folder { get; }

    public string SnapshotFolder(string commit) => Path.Combine(Folder, "snapshots", SafeName(commit, "commit"));

    /// <summary>The commit that <c>refs/{revision}</c> holds; null when the revision was never resolved here.</summary>
    public string? ReadRef(string revision)
    {
        string path = RefPath(revision);
        if (!File.Exists(path))
            return null;
        string commit = File.ReadAllText(path).Trim();
        return SafeNamePattern().IsMatch(commit) ? commit
            : throw new ModelResolutionException($"The hub cache file {path} holds '{commit}', not a commit hash; delete it to resolve the revision again.");
    }

    /// <summary>Records the commit a branch or tag points to, atomically and only when it changed (the cache may be read-only otherwise).</summary>
    public void WriteRef(string revision, string commit)
    {
        if (revision == commit || ReadRef(revision) == commit)
            return;
        string path = RefPath(revision);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temporary = TemporaryName(path);
        File.WriteAllText(temporary, commit);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// True when the snapshot of the commit holds the file. A link whose blob is missing does not count (File.Exists
    /// takes a dangling link on Unix for a file; huggingface_hub's os.path.exists follows it), and is replaced when the
    /// file is downloaded again.
    /// </summary>
    public bool HasFile(string commit, string file) =>
        new FileInfo(SnapshotPath(commit, file)) is { Exists: true } pointer
        && (pointer.LinkTarget is null || pointer.ResolveLinkTarget(returnFinalTarget: true) is { Exists: true });

    /// <summary>True when an earlier request learned that the commit has no such file.</summary>
    public bool IsKnownMissing(string commit, string file) => File.Exists(NoExistPath(commit, file));

    public void MarkMissing(string commit, string file)
    {
        string path = NoExistPath(commit, file);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, []);
    }

    public bool HasBlob(string etag) => File.Exists(BlobPath(etag));

    /// <summary>A new, unique temporary path in <c>blobs/</c> for a download of the blob.</summary>
    public string NewIncompleteBlobPath(string etag)
    {
        string blob = BlobPath(etag);
        Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
        return $"{blob}.{Guid.NewGuid():N}.incomplete";
    }

    /// <summary>Moves a complete, verified download into place under its ETag (an atomic rename).</summary>
    public void CommitBlob(string incompletePath, string etag) => File.Move(incompletePath, BlobPath(etag), overwrite: true);

    /// <summary>
    /// Points <c>snapshots/{commit}/{file}</c> at the blob: a relative symbolic link, or a copy of the blob where
    /// links cannot be made. The pointer is made under a temporary name and renamed, so readers never see half of it.
    /// </summary>
    public void Link(string commit, string file, string etag)
    {
        string pointer = SnapshotPath(commit, file);
        string blob = BlobPath(etag);
        string folder = Path.GetDirectoryName(pointer)!;
        Directory.CreateDirectory(folder);
        string temporary = TemporaryName(pointer);
        try
        {
            try
            {
                File.CreateSymbolicLink(temporary, Path.GetRelativePath(folder, blob));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
            {
                File.Copy(blob, temporary, overwrite: true);
            }
            File.Move(temporary, pointer, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>
    /// Waits for the lock of a blob, so that only one process (or thread) at a time downloads it. The lock is advisory:
    /// correctness rests on the atomic rename in <see cref="CommitBlob"/>.
    /// </summary>
    public async Task<IDisposable> LockBlobAsync(string etag, ILogger logger, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_locks);
        string path = Path.Combine(_locks, SafeName(etag, "ETag") + ".lock");
        bool waiting = false;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException e) when (IsSharingViolation(e))
            {
                if (!waiting)
                    logger.LogInformation("Waiting for another download of blob {ETag} into {Folder} to finish", etag, Folder);
                waiting = true;
                await Task.Delay(LockPollInterval, cancellationToken);
            }
        }
    }

    /// <summary>
    /// True for a path that stays inside its folder: '/'-separated segments, none empty, "." or "..", no backslashes
    /// or control characters. File names from the hub, or from files it served, and revisions must be such paths.
    /// </summary>
    public static bool IsRelativePath(string path) =>
        path.Length > 0 && !path.Contains('\\', StringComparison.Ordinal)
        && path.Split('/').All(segment => segment is not ("" or "." or "..") && !segment.Any(char.IsControl));

    /// <summary>The path when <see cref="IsRelativePath"/> accepts it; else an error naming where it came from.</summary>
    public static string ValidateRelativePath(string path, string source) =>
        IsRelativePath(path) ? path
            : throw new ModelResolutionException($"{source} names the file '{path}', which is not a relative path inside the repository.");

    // .NET reports a lock held elsewhere with the errno of flock (EWOULDBLOCK: 11 on Linux, 35 on macOS) as HResult
    // on Unix, and with ERROR_SHARING_VIOLATION or ERROR_LOCK_VIOLATION on Windows.
    private static bool IsSharingViolation(IOException e) =>
        e.GetType() == typeof(IOException) && e.HResult is 11 or 35 or unchecked((int)0x80070020) or unchecked((int)0x80070021);

    private string BlobPath(string etag) => Path.Combine(Folder, "blobs", SafeName(etag, "ETag"));

    private string SnapshotPath(string commit, string file) => Path.Combine(SnapshotFolder(commit), LocalPath(file));

    private string NoExistPath(string commit, string file) => Path.Combine(Folder, ".no_exist", SafeName(commit, "commit"), LocalPath(file));

    private string RefPath(string revision) => Path.Combine(Folder, "refs", LocalPath(revision));

    private static string LocalPath(string file) => Path.Combine(ValidateRelativePath(file, "The hub").Split('/'));

    private static string TemporaryName(string path) => $"{path}.{Guid.NewGuid():N}.tmp";

    private static string SafeName(string name, string what) =>
        SafeNamePattern().IsMatch(name) ? name
            : throw new ModelResolutionException($"The hub sent the {what} '{name}', which cannot name a file in the cache.");

    [GeneratedRegex("^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex SafeNamePattern();
}
