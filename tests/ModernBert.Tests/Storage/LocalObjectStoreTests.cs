using ModernBert.Storage;
using ModernBert.Tests.Common;

namespace ModernBert.Tests.Storage;

public sealed class LocalObjectStoreTests : IDisposable
{
    private readonly TemporaryFolder _folder = new();
    private readonly LocalObjectStore _store;

    public LocalObjectStoreTests()
    {
        _store = new LocalObjectStore(_folder.Path);
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task WrittenObjectReadsBackWholeInRangesAndAsStream()
    {
        await _store.WriteAsync("dir/sub/object.bin", "0123456789"u8.ToArray(), Token);

        Assert.Equal(10, await _store.GetLengthAsync("dir/sub/object.bin", Token));
        Assert.Equal("345"u8.ToArray(), await _store.ReadRangeAsync("dir/sub/object.bin", 3, 3, Token));
        Assert.Equal("89"u8.ToArray(), await _store.ReadRangeAsync("dir/sub/object.bin", 8, 5, Token));
        Assert.Empty(await _store.ReadRangeAsync("dir/sub/object.bin", 12, 5, Token));
        await using Stream stream = await _store.OpenReadAsync("dir/sub/object.bin", Token);
        using var reader = new StreamReader(stream);
        Assert.Equal("0123456789", await reader.ReadToEndAsync(Token));
        Assert.Equal(_folder.File("dir/sub/object.bin"), _store.Describe("dir/sub/object.bin"));
    }

    [Fact]
    public async Task WriteReplacesTheObjectAndLeavesNoTemporaryFile()
    {
        await _store.WriteAsync("state.json", "a much longer first version"u8.ToArray(), Token);

        await _store.WriteAsync("state.json", "second"u8.ToArray(), Token);

        Assert.Equal("second", await File.ReadAllTextAsync(_folder.File("state.json"), Token));
        Assert.Equal(["state.json"], Directory.GetFiles(_folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task MissingObjectHasNoLengthAndCannotBeRead()
    {
        Assert.Null(await _store.GetLengthAsync("missing/object.bin", Token));
        var error = await Assert.ThrowsAsync<ObjectNotFoundException>(() => _store.OpenReadAsync("missing/object.bin", Token));
        Assert.Equal(_folder.File("missing/object.bin"), error.Location);
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => _store.ReadRangeAsync("missing/object.bin", 0, 1, Token));
    }

    [Fact]
    public async Task DeleteRemovesTheObjectAndAcceptsMissingOnes()
    {
        await _store.WriteAsync("a.bin", new byte[] { 1 }, Token);

        await _store.DeleteAsync("a.bin", Token);
        await _store.DeleteAsync("a.bin", Token);
        await _store.DeleteAsync("no/such/folder/a.bin", Token);

        Assert.Null(await _store.GetLengthAsync("a.bin", Token));
    }

    [Fact]
    public async Task AppendsCreateThenExtendTheObject()
    {
        await _store.AppendAsync("logs/run.jsonl", 0, "first\n"u8.ToArray(), Token);
        await _store.AppendAsync("logs/run.jsonl", 6, "second\n"u8.ToArray(), Token);

        Assert.Equal("first\nsecond\n", await File.ReadAllTextAsync(_folder.File("logs/run.jsonl"), Token));
    }

    [Fact]
    public async Task AppendAtAnOffsetOtherThanTheLengthConflictsAndChangesNothing()
    {
        await _store.AppendAsync("run.jsonl", 0, "first\n"u8.ToArray(), Token);

        var behind = await Assert.ThrowsAsync<AppendConflictException>(() => _store.AppendAsync("run.jsonl", 2, "x"u8.ToArray(), Token));
        var ahead = await Assert.ThrowsAsync<AppendConflictException>(() => _store.AppendAsync("run.jsonl", 7, "x"u8.ToArray(), Token));
        var recreate = await Assert.ThrowsAsync<AppendConflictException>(() => _store.AppendAsync("run.jsonl", 0, "other\n"u8.ToArray(), Token));
        var missing = await Assert.ThrowsAsync<AppendConflictException>(() => _store.AppendAsync("none.jsonl", 3, "x"u8.ToArray(), Token));

        Assert.Equal((2, 6), (behind.ExpectedOffset, behind.ActualLength));
        Assert.Equal((7, 6), (ahead.ExpectedOffset, ahead.ActualLength));
        Assert.Equal((0, 6), (recreate.ExpectedOffset, recreate.ActualLength));
        Assert.Equal((3, 0), (missing.ExpectedOffset, missing.ActualLength));
        Assert.Equal("first\n", await File.ReadAllTextAsync(_folder.File("run.jsonl"), Token));
        Assert.False(File.Exists(_folder.File("none.jsonl")));
    }

    [Fact]
    public async Task RetriedAppendCompletesATornTailLeftByTheSameAppend()
    {
        await _store.AppendAsync("run.jsonl", 0, "head\n"u8.ToArray(), Token);
        await File.AppendAllTextAsync(_folder.File("run.jsonl"), "{\"row\":", Token); // a write cut off mid-record

        await _store.AppendAsync("run.jsonl", 5, "{\"row\":1}\n"u8.ToArray(), Token);
        await _store.AppendAsync("run.jsonl", 5, "{\"row\":1}\n"u8.ToArray(), Token); // its answer lost: retried once more

        Assert.Equal("head\n{\"row\":1}\n", await File.ReadAllTextAsync(_folder.File("run.jsonl"), Token));
    }

    [Fact]
    public async Task TornTailOfOtherDataIsAConflictReportingTheTornLength()
    {
        await _store.AppendAsync("run.jsonl", 0, "head\n"u8.ToArray(), Token);
        await File.AppendAllTextAsync(_folder.File("run.jsonl"), "{\"row\":", Token);

        var conflict = await Assert.ThrowsAsync<AppendConflictException>(() => _store.AppendAsync("run.jsonl", 5, "{\"other\":2}\n"u8.ToArray(), Token));

        Assert.Equal((5, 12), (conflict.ExpectedOffset, conflict.ActualLength));
        Assert.Equal("head\n{\"row\":", await File.ReadAllTextAsync(_folder.File("run.jsonl"), Token));
    }

    [Fact]
    public async Task ListingReturnsKeysUnderThePrefixInOrdinalOrderWithoutTemporaryFiles()
    {
        foreach (string key in new[] { "b/2.bin", "B/1.bin", "a.bin", "b/10.bin", "b/1.bin", "bb.bin", "b/c/d.bin" })
            await _store.WriteAsync(key, System.Text.Encoding.ASCII.GetBytes(key), Token);
        await File.WriteAllTextAsync(_folder.File("b/3.bin.0123.partial"), "unfinished write", Token);

        Assert.Equal(["B/1.bin", "a.bin", "b/1.bin", "b/10.bin", "b/2.bin", "b/c/d.bin", "bb.bin"], await KeysAsync(""));
        Assert.Equal(["b/1.bin", "b/10.bin", "b/2.bin", "b/c/d.bin"], await KeysAsync("b/"));
        Assert.Equal(["b/1.bin", "b/10.bin", "b/2.bin", "b/c/d.bin", "bb.bin"], await KeysAsync("b"));
        Assert.Equal(["b/1.bin", "b/10.bin"], await KeysAsync("b/1"));
        Assert.Empty(await KeysAsync("zz/"));
        await foreach (ObjectInfo item in _store.ListAsync("b/c", Token))
            Assert.Equal(new ObjectInfo("b/c/d.bin", "b/c/d.bin".Length), item);
    }

    [Theory]
    [InlineData("../outside.bin")]
    [InlineData("a/../../outside.bin")]
    public async Task KeysCannotLeaveTheRoot(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _store.WriteAsync(key, new byte[] { 1 }, Token));
    }

    [Fact]
    public async Task KeysCannotReachASiblingFolderSharingTheRootName()
    {
        var store = new LocalObjectStore(_folder.File("root"));

        await Assert.ThrowsAsync<ArgumentException>(() => store.WriteAsync("../root-sibling/x.bin", new byte[] { 1 }, Token));
    }

    private static UnixFileMode WriteBits(string path) => OperatingSystem.IsWindows()
        ? throw new PlatformNotSupportedException("Local files are sealed on Unix only.")
        : File.GetUnixFileMode(path) & (UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite);

    private async Task<List<string>> KeysAsync(string prefix) =>
        await _store.ListAsync(prefix, Token).Select(item => item.Key).ToListAsync(Token);

    [Fact]
    public async Task ASealedFileTakesNoMoreAppendsAndStaysReadableAndDeletable()
    {
        await _store.AppendAsync("parts/p.parquet", 0, "head"u8.ToArray(), Token);

        Assert.True(await _store.SealAsync("parts/p.parquet", Token));
        Assert.True(await _store.SealAsync("parts/p.parquet", Token));

        var sealedError = await Assert.ThrowsAsync<ObjectSealedException>(() => _store.AppendAsync("parts/p.parquet", 4, "tail"u8.ToArray(), Token));
        Assert.Equal(_folder.File("parts/p.parquet"), sealedError.Location);
        await Assert.ThrowsAsync<ObjectSealedException>(() => _store.AppendAsync("parts/p.parquet", 0, "head"u8.ToArray(), Token));
        Assert.Equal("head"u8.ToArray(), await _store.ReadRangeAsync("parts/p.parquet", 0, 100, Token));
        await _store.DeleteAsync("parts/p.parquet", Token);
        Assert.Null(await _store.GetLengthAsync("parts/p.parquet", Token));
    }

    [Fact]
    public async Task ASealWaitsForAnAppendUnderWay_AndGivesUpOnceItsWaitIsOver()
    {
        await _store.AppendAsync("parts/p.parquet", 0, "head"u8.ToArray(), Token);
        string path = _folder.File("parts/p.parquet");
        var store = new LocalObjectStore(_folder.Path, sealWait: TimeSpan.FromMilliseconds(200));
        // flock(1) --shared holds the lock an append holds while it writes (the store opens files to append sharing reads).
        using (ChildProcess appender = ChildProcess.Start("flock", ["--shared", path, "sh", "-c", "echo held; exec sleep 600"],
            new Dictionary<string, string>(), _folder.Path))
        {
            await appender.WaitUntilAsync("flock", TimeSpan.FromSeconds(30), _ => Task.FromResult(appender.OutputTail.Contains("held")), Token);

            Assert.False(await store.SealAsync("parts/p.parquet", Token));
            Assert.Equal(UnixFileMode.UserWrite, WriteBits(path) & UnixFileMode.UserWrite);
            appender.Kill();
        }

        Assert.True(await store.SealAsync("parts/p.parquet", Token));
        Assert.Equal(UnixFileMode.None, WriteBits(path));
        await Assert.ThrowsAsync<ObjectSealedException>(() => _store.AppendAsync("parts/p.parquet", 4, "tail"u8.ToArray(), Token));
    }

    [Fact]
    public async Task SealingAMissingObjectDoesNothing()
    {
        Assert.True(await _store.SealAsync("parts/none.parquet", Token));
        Assert.True(await _store.SealAsync("no-folder/none.parquet", Token));

        Assert.Null(await _store.GetLengthAsync("parts/none.parquet", Token));
    }

    [Fact]
    public async Task ALeaseIsExclusiveUntilDisposed()
    {
        Assert.False(await _store.IsLeasedAsync("run/lease", Token));
        IObjectLease? first = await _store.TryAcquireLeaseAsync("run/lease", Token);
        Assert.NotNull(first);
        Assert.Null(await _store.TryAcquireLeaseAsync("run/lease", Token));
        Assert.True(await _store.IsLeasedAsync("run/lease", Token));
        Assert.False(first.Lost.CanBeCanceled);

        await first.DisposeAsync();
        Assert.False(await _store.IsLeasedAsync("run/lease", Token));
        await using IObjectLease? next = await _store.TryAcquireLeaseAsync("run/lease", Token);
        Assert.NotNull(next);
    }

    [Fact]
    public async Task AskingWhetherAnObjectIsLeasedTakesNothingFromALeaseTakenAfterwards()
    {
        Assert.False(await _store.IsLeasedAsync("run/lease", Token));
        Assert.False(await _store.IsLeasedAsync("run/lease", Token));

        await using IObjectLease? lease = await _store.TryAcquireLeaseAsync("run/lease", Token);
        Assert.NotNull(lease);
    }

    [Fact]
    public async Task ALeaseHeldByAKilledProcessIsFreeAtOnce()
    {
        // flock(1) takes the same kind of lock as the store's lease (flock(2), exclusive), and holds it while its command runs.
        string path = _folder.File("run/lease");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using ChildProcess holder = ChildProcess.Start("flock", ["--exclusive", path, "sh", "-c", "echo held; exec sleep 600"],
            new Dictionary<string, string>(), _folder.Path);
        await holder.WaitUntilAsync("flock", TimeSpan.FromSeconds(30), _ => Task.FromResult(holder.OutputTail.Contains("held")), Token);
        Assert.Null(await _store.TryAcquireLeaseAsync("run/lease", Token));
        Assert.True(await _store.IsLeasedAsync("run/lease", Token));

        holder.Kill();
        await holder.WaitForExitAsync(TimeSpan.FromSeconds(30), Token);

        Assert.False(await _store.IsLeasedAsync("run/lease", Token));

        await using IObjectLease? lease = await _store.TryAcquireLeaseAsync("run/lease", Token);
        Assert.NotNull(lease);
    }
}
