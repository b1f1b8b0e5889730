using System.Runtime.CompilerServices;
using Microsoft.Win32.SafeHandles;

namespace ModernBert.Storage;

/// <summary>
/// Objects as files under a root folder. Writes go through a temporary file and a rename; appends are fsynced. A sealed
/// file is one without write permission. Sealing needs appends to hold a shared flock, which .NET takes on Unix except
/// on network file systems (NFS, SMB); there, and on Windows, files cannot be sealed.
/// </summary>
public sealed class LocalObjectStore : IObjectStore
{
    private const string TemporarySuffix = ".partial";
    // A lock held elsewhere: EWOULDBLOCK from flock on Linux, ERROR_SHARING_VIOLATION on Windows.
    private const int LockHeldErrno = 11;
    private const int LockHeldWindowsHResult = unchecked((int)0x80070020);
    private const UnixFileMode AnyWrite = UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;
    // The file systems on which .NET takes no flock for a file opened for writing (SafeFileHandle.CanLockTheFile).
    private static readonly string[] UnlockedFileSystems = ["nfs", "smb", "smb2", "cifs"];
    private static readonly TimeSpan SealRetryDelay = TimeSpan.FromMilliseconds(10);
    private const int LeaseAttempts = 3;
    private static readonly TimeSpan LeaseRetryDelay = TimeSpan.FromMilliseconds(20);
    private readonly string _root;
    private readonly string _rootWithSeparator;
    private readonly TimeSpan _sealWait;

    /// <param name="sealWait">How long <see cref="SealAsync"/> waits for appends under way (another process's, perhaps
    /// stopped mid-append) before it gives up sealing that file; 30 s by default.</param>
    public LocalObjectStore(string root, TimeSpan? sealWait = null)
    {
        _root = Path.GetFullPath(root);
        _rootWithSeparator = Path.EndsInDirectorySeparator(_root) ? _root : _root + Path.DirectorySeparatorChar;
        _sealWait = sealWait ?? TimeSpan.FromSeconds(30);
    }

    public string Describe(string key) => PathOf(key);

    public Task<long?> GetLengthAsync(string key, CancellationToken cancellationToken)
    {
        var file = new FileInfo(PathOf(key));
        return Task.FromResult(file.Exists ? file.Length : (long?)null);
    }

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        string path = PathOf(key);
        try
        {
            return Task.FromResult<Stream>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete,
                bufferSize: 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ObjectNotFoundException(path);
        }
    }

    public async Task<byte[]> ReadRangeAsync(string key, long offset, int length, CancellationToken cancellationToken)
    {
        await using Stream stream = await OpenReadAsync(key, cancellationToken);
        stream.Seek(offset, SeekOrigin.Begin);
        byte[] buffer = new byte[Math.Max(0, Math.Min(length, stream.Length - offset))];
        await stream.ReadExactlyAsync(buffer, cancellationToken);
        return buffer;
    }

    public async Task WriteAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        string path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temporary = $"{path}.{Guid.NewGuid():N}{TemporarySuffix}";
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await stream.WriteAsync(content, cancellationToken);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public async Task AppendAsync(string key, long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        string path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        FileStream stream;
        try
        {
            // Sharing reads takes a shared flock on Unix, which keeps SealAsync (an exclusive one) waiting until the append ends.
            stream = new FileStream(path, offset == 0 ? FileMode.OpenOrCreate : FileMode.Open, FileAccess.Write,
                FileShare.Read | FileShare.Delete, 1 << 16, FileOptions.Asynchronous);
        }
        catch (FileNotFoundException)
        {
            throw new AppendConflictException(path, offset, actualLength: 0);
        }
        catch (UnauthorizedAccessException) when (File.Exists(path) && IsSealed(path))
        {
            throw new ObjectSealedException(path);
        }
        await using (stream)
        {
            if (IsSealed(stream.SafeFileHandle))
                throw new ObjectSealedException(path);
            long length = stream.Length;
            int present = length == offset ? 0
                : await AppendRecovery.BytesAlreadyAppendedAsync(this, key, offset, data, length, cancellationToken)
                  ?? throw new AppendConflictException(path, offset, length);
            stream.Seek(offset + present, SeekOrigin.Begin);
            await stream.WriteAsync(data[present..], cancellationToken);
            stream.Flush(flushToDisk: true);
        }
    }

    public async Task<bool> SealAsync(string key, CancellationToken cancellationToken)
    {
        string path = PathOf(key);
        if (!File.Exists(path))
            return true;
        if (OperatingSystem.IsWindows() || UnlockedFileSystems.Contains(new DriveInfo(path).DriveFormat, StringComparer.Ordinal))
            return false;
        long deadline = Environment.TickCount64 + (long)_sealWait.TotalMilliseconds;
        while (true)
        {
            try
            {
                // No sharing: an exclusive flock, taken only once no append holds its shared one.
                using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None);
                File.SetUnixFileMode(file.SafeFileHandle, File.GetUnixFileMode(file.SafeFileHandle) & ~AnyWrite);
                return true;
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                return true;
            }
            catch (UnauthorizedAccessException)
            {
                return IsSealed(path); // another user's file, whose mode only its owner may change
            }
            catch (IOException e) when (e.HResult == LockHeldErrno && Environment.TickCount64 < deadline)
            {
                await Task.Delay(SealRetryDelay, cancellationToken);
            }
            catch (IOException e) when (e.HResult == LockHeldErrno)
            {
                return false;
            }
        }
    }

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string start = PathOf(prefix);
        // The prefix may end inside a file or folder name, so enumerate from its folder and filter by key.
        string folder = prefix.EndsWith('/') || prefix.Length == 0 ? start : Path.GetDirectoryName(start)!;
        if (!Directory.Exists(folder))
            yield break;
        var items = new List<ObjectInfo>();
        foreach (string file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (file.EndsWith(TemporarySuffix, StringComparison.Ordinal))
                continue;
            string key = Path.GetRelativePath(_root, file).Replace(Path.DirectorySeparatorChar, '/');
            if (key.StartsWith(prefix, StringComparison.Ordinal))
                items.Add(new ObjectInfo(key, new FileInfo(file).Length));
        }
        items.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (ObjectInfo item in items)
        {
            yield return item;
            await Task.Yield();
        }
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        string path = PathOf(key);
        if (Directory.Exists(Path.GetDirectoryName(path)))
            File.Delete(path);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Opens the file with no sharing, which .NET takes as an exclusive <c>flock</c> on Unix: advisory, honoured by every
    /// process that leases the same file, and released by the kernel when the process dies however it ends.
    /// </summary>
    public async Task<IObjectLease?> TryAcquireLeaseAsync(string key, CancellationToken cancellationToken)
    {
        string path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // IsLeasedAsync holds a shared lock for an instant: a few tries keep it from passing for another holder.
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return new FileLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException e) when (e.HResult is LockHeldErrno or LockHeldWindowsHResult)
            {
                if (attempt == LeaseAttempts)
                    return null;
            }
            await Task.Delay(LeaseRetryDelay, cancellationToken);
        }
    }

    /// <summary>
    /// Opens the file for reading, which .NET takes as a shared <c>flock</c> on Unix (a read share on Windows): refused
    /// while a holder has the exclusive one, released at once otherwise.
    /// </summary>
    public Task<bool> IsLeasedAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            using var file = new FileStream(PathOf(key), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return Task.FromResult(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult(false);
        }
        catch (IOException e) when (e.HResult is LockHeldErrno or LockHeldWindowsHResult)
        {
            return Task.FromResult(true);
        }
    }

    private static bool IsSealed(SafeFileHandle file) => !OperatingSystem.IsWindows() && (File.GetUnixFileMode(file) & AnyWrite) == 0;

    private static bool IsSealed(string path) => !OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & AnyWrite) == 0;

    private string PathOf(string key)
    {
        string path = Path.GetFullPath(Path.Combine(_root, key));
        if (path != _root && !path.StartsWith(_rootWithSeparator, StringComparison.Ordinal))
            throw new ArgumentException($"Key '{key}' points outside the store root {_root}.", nameof(key));
        return path;
    }
}

/// <summary>A local lease: the lock file held open. A lock cannot be taken away, so it is never lost.</summary>
internal sealed class FileLock(FileStream file) : IObjectLease
{
    public CancellationToken Lost => CancellationToken.None;

    public ValueTask DisposeAsync() => file.DisposeAsync();
}
