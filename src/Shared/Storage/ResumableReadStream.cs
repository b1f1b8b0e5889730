using Polly;

namespace ModernBert.Storage;

/// <summary>
/// A read-only stream that runs each read through a resilience pipeline. A failed read drops the underlying stream
/// (its position is unknown after a failure) and the next attempt reopens the object and seeks to this stream's
/// position. Both stores return seekable streams; this one is seekable when the first underlying stream is.
/// Streamed objects are expected to stay unchanged while read: one found with another length on reopening is
/// reported (<see cref="InvalidDataException"/>), never mixed with its earlier version.
/// </summary>
internal sealed class ResumableReadStream : Stream
{
    private readonly Func<CancellationToken, Task<Stream>> _reopen;
    private readonly ResiliencePipeline _pipeline;
    private readonly string _operation;
    private readonly bool _canSeek;
    private readonly long _length;
    private Stream? _current;
    private long _position;

    public ResumableReadStream(Stream first, Func<CancellationToken, Task<Stream>> reopen, ResiliencePipeline pipeline, string operation)
    {
        _current = first;
        _reopen = reopen;
        _pipeline = pipeline;
        _operation = operation;
        _canSeek = first.CanSeek;
        _length = first.CanSeek ? first.Length : -1;
    }

    public override bool CanRead => true;
    public override bool CanSeek => _canSeek;
    public override bool CanWrite => false;
    public override long Length => _canSeek ? _length : throw new NotSupportedException($"The stream of {_operation} cannot seek.");

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ResilienceContext context = ResilienceContextPool.Shared.Get(_operation, cancellationToken);
        try
        {
            int read = await _pipeline.ExecuteAsync(static async (attempt, state) =>
                await state.Stream.ReadOnceAsync(state.Buffer, attempt.CancellationToken), context, (Stream: this, Buffer: buffer));
            _position += read;
            return read;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Synchronous readers (such as StreamReader.ReadLine) get the same retries; nothing here needs a synchronization context.
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override long Seek(long offset, SeekOrigin origin)
    {
        if (!_canSeek)
            throw new NotSupportedException($"The stream of {_operation} cannot seek.");
        long position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => _length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        ArgumentOutOfRangeException.ThrowIfNegative(position, nameof(offset));
        _current?.Seek(position, SeekOrigin.Begin);
        _position = position;
        return position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            DropCurrent();
        base.Dispose(disposing);
    }

    private async Task<int> ReadOnceAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        Stream stream = _current ??= await ReopenAtPositionAsync(cancellationToken);
        try
        {
            return await stream.ReadAsync(buffer, cancellationToken);
        }
        catch
        {
            DropCurrent();
            throw;
        }
    }

    private async Task<Stream> ReopenAtPositionAsync(CancellationToken cancellationToken)
    {
        Stream stream = await _reopen(cancellationToken);
        try
        {
            if (!stream.CanSeek)
                throw new NotSupportedException($"Cannot resume {_operation} at byte {_position}: the reopened stream cannot seek.");
            // Not a transient failure: the object was replaced, and its two versions must not be mixed.
            if (_canSeek && stream.Length != _length)
                throw new InvalidDataException($"Cannot resume {_operation} at byte {_position}: its length changed from {_length} to {stream.Length} while it was read.");
            stream.Seek(_position, SeekOrigin.Begin);
            return stream;
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    private void DropCurrent()
    {
        _current?.Dispose();
        _current = null;
    }
}
