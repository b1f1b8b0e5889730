using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using ModernBert.Storage;

namespace ModernBert.Tests.Storage;

/// <summary>
/// A real store that fails on demand: each call first takes the next planned failure, if any. A failure planned
/// "after" lets the call reach the inner store and then throws, as when an answer is lost on the way back.
/// </summary>
internal sealed class FlakyObjectStore(IObjectStore inner) : DelegatingObjectStore(inner)
{
    private readonly ConcurrentQueue<(Exception? Failure, bool AfterCall, TaskCompletionSource? Hang)> _plan = new();
    private int _calls;
    private int _opens;

    public int Calls => _calls;

    public int Opens => _opens;

    /// <summary>Bytes after which the next opened stream fails once with an IOException; null for none.</summary>
    public int? FailStreamAfterBytes { get; set; }

    public void FailNext(params Exception[] failures)
    {
        foreach (Exception failure in failures)
            _plan.Enqueue((failure, false, null));
    }

    public void FailNextAfterCalling(Exception failure) => _plan.Enqueue((failure, true, null));

    /// <summary>Makes the next call hang until it is cancelled; the task completes once it hangs.</summary>
    public Task HangNext()
    {
        var hanging = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _plan.Enqueue((null, false, hanging));
        return hanging.Task;
    }

    public override Task<long?> GetLengthAsync(string key, CancellationToken cancellationToken) =>
        CallAsync(() => Inner.GetLengthAsync(key, cancellationToken), cancellationToken);

    public override Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken) => CallAsync(async () =>
    {
        Interlocked.Increment(ref _opens);
        Stream stream = await Inner.OpenReadAsync(key, cancellationToken);
        int? failAfter = FailStreamAfterBytes;
        FailStreamAfterBytes = null;
        return failAfter is int bytes ? new FailingStream(stream, bytes) : stream;
    }, cancellationToken);

    public override Task<byte[]> ReadRangeAsync(string key, long offset, int length, CancellationToken cancellationToken) =>
        CallAsync(() => Inner.ReadRangeAsync(key, offset, length, cancellationToken), cancellationToken);

    public override Task WriteAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        CallAsync(async () =>
        {
            await Inner.WriteAsync(key, content, cancellationToken);
            return true;
        }, cancellationToken);

    public override Task AppendAsync(string key, long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        CallAsync(async () =>
        {
            await Inner.AppendAsync(key, offset, data, cancellationToken);
            return true;
        }, cancellationToken);

    public override async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await CallAsync(() => Task.FromResult(true), cancellationToken);
        await foreach (ObjectInfo item in Inner.ListAsync(prefix, cancellationToken))
            yield return item;
    }

    public override Task DeleteAsync(string key, CancellationToken cancellationToken) =>
        CallAsync(async () =>
        {
            await Inner.DeleteAsync(key, cancellationToken);
            return true;
        }, cancellationToken);

    private async Task<T> CallAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        if (!_plan.TryDequeue(out var next))
            return await call();
        if (next.Hang is { } hanging)
        {
            hanging.SetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        if (next.AfterCall)
            await call();
        throw next.Failure!;
    }

    /// <summary>A stream that fails once its reads pass a number of bytes, as when a connection drops mid-download.</summary>
    private sealed class FailingStream(Stream inner, int failAfterBytes) : Stream
    {
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => inner.CanSeek;
        public override bool CanWrite => false;
        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => inner.Position = value;
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_read >= failAfterBytes)
                throw new IOException("Connection reset by peer (planned).");
            int read = inner.Read(buffer, offset, (int)Math.Min(count, failAfterBytes - _read));
            _read += read;
            return read;
        }

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
