using System.Runtime.ExceptionServices;

namespace ModernBert.Storage;

/// <summary>
/// A read-only seekable view of one object that fetches byte ranges on demand through
/// <see cref="IObjectStore.ReadRangeAsync"/>, keeping the last fetched range as its buffer. Callers that know which
/// range they will read next (a Parquet column chunk) call <see cref="PrefetchAsync"/> so that even synchronous reads
/// are then served from memory; a synchronous read outside the buffer blocks on the store.
/// </summary>
public sealed class ObjectRangeStream : Stream
{
    /// <summary>The most a single prefetch holds; reads beyond it fetch further blocks as they go.</summary>
    public const int MaxPrefetchBytes = 256 << 20;

    private readonly IObjectStore _store;
    private readonly string _key;
    private readonly long _length;
    private readonly int _blockBytes;
    private byte[] _buffer = [];
    private long _bufferStart;
    private long _position;

    /// <param name="length">The object's length, from <see cref="IObjectStore.GetLengthAsync"/>.</param>
    /// <param name="blockBytes">How much a read outside the buffer fetches at least.</param>
    public ObjectRangeStream(IObjectStore store, string key, long length, int blockBytes = 1 << 16)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blockBytes);
        _store = store;
        _key = key;
        _length = length;
        _blockBytes = blockBytes;
    }

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _position = value;
        }
    }

    /// <summary>Fetches [offset, offset + length) (at most <see cref="MaxPrefetchBytes"/>) unless the buffer already holds it.</summary>
    public async Task PrefetchAsync(long offset, long length, CancellationToken cancellationToken)
    {
        length = Math.Min(Math.Min(length, MaxPrefetchBytes), _length - offset);
        if (length <= 0 || (offset >= _bufferStart && offset + length <= _bufferStart + _buffer.Length))
            return;
        await FetchAsync(offset, (int)length, cancellationToken);
    }

    public override int Read(Span<byte> destination)
    {
        if (!Buffered(destination.Length))
            FetchBlockAsync(destination.Length, CancellationToken.None).GetAwaiter().GetResult();
        return CopyFromBuffer(destination);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (!Buffered(destination.Length))
            await FetchBlockAsync(destination.Length, cancellationToken);
        return CopyFromBuffer(destination.Span);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => _length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        return _position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>Whether the buffer holds the byte at the position (or the position is at the end, where reads return 0).</summary>
    private bool Buffered(int wanted) =>
        wanted == 0 || _position >= _length || (_position >= _bufferStart && _position < _bufferStart + _buffer.Length);

    /// <summary>
    /// Fetches a block holding the position and at least <paramref name="wanted"/> bytes after it; near the end of the
    /// object the block ends at the end, so that a footer's small backward reads hit the same block.
    /// </summary>
    private Task FetchBlockAsync(int wanted, CancellationToken cancellationToken)
    {
        long length = Math.Min(Math.Max(wanted, _blockBytes), _length);
        long start = Math.Min(_position, _length - length);
        return FetchAsync(start, (int)length, cancellationToken);
    }

    /// <summary>
    /// The store's own failure (after its retries) that a read met, if any: a caller that reads every failure of a
    /// format's reader as a malformed file rethrows this one instead, since it says nothing about the file.
    /// </summary>
    public ExceptionDispatchInfo? StoreFailure { get; private set; }

    private async Task FetchAsync(long offset, int length, CancellationToken cancellationToken)
    {
        byte[] data;
        try
        {
            data = await _store.ReadRangeAsync(_key, offset, length, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            StoreFailure = ExceptionDispatchInfo.Capture(e);
            throw;
        }
        if (data.Length == 0)
            throw new EndOfStreamException($"{_store.Describe(_key)} ended at {offset} bytes, before its length of {_length} bytes; did it change while being read?");
        _buffer = data;
        _bufferStart = offset;
    }

    private int CopyFromBuffer(Span<byte> destination)
    {
        if (_position >= _length || destination.Length == 0)
            return 0;
        int start = (int)(_position - _bufferStart);
        int count = Math.Min(destination.Length, _buffer.Length - start);
        _buffer.AsSpan(start, count).CopyTo(destination);
        _position += count;
        return count;
    }
}
