using System.Buffers;

namespace ModernBert.Inputs;

/// <summary>
/// Splits a stream into '\n'-terminated lines (a trailing '\r' is dropped) in one pooled buffer that grows only to
/// hold the longest line. A line longer than the limit is reported once through <see cref="LineTooLong"/> and then
/// discarded up to its end, so memory stays bounded whatever the input.
/// </summary>
internal sealed class LineSplitter : IDisposable
{
    private const int InitialBufferBytes = 1 << 20;
    private readonly Stream _stream;
    private readonly int _maxLineBytes;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferBytes);
    private int _start;
    private int _end;
    // Bytes after _start already known to hold no '\n', so long lines are not scanned again after each read.
    private int _scanned;
    private bool _endOfStream;
    private bool _discardingLongLine;
    private int _lineStart;
    private int _lineLength;

    public LineSplitter(Stream stream, int maxLineBytes)
    {
        _stream = stream;
        _maxLineBytes = maxLineBytes;
    }

    /// <summary>The 1-based number of the current line.</summary>
    public long LineNumber { get; private set; }

    /// <summary>Whether the current line was longer than the limit; <see cref="Line"/> is then empty.</summary>
    public bool LineTooLong { get; private set; }

    /// <summary>The current line's bytes, valid until the next <see cref="MoveNextAsync"/>.</summary>
    public ReadOnlySpan<byte> Line => _buffer.AsSpan(_lineStart, _lineLength);

    public async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            int newline = _buffer.AsSpan(_start + _scanned, _end - _start - _scanned).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                int length = _scanned + newline;
                int lineStart = _start;
                _start += length + 1;
                _scanned = 0;
                if (_discardingLongLine)
                {
                    _discardingLongLine = false;
                    continue;
                }
                SetLine(lineStart, length);
                return true;
            }
            _scanned = _end - _start;
            if (_endOfStream)
            {
                if (_end == _start || _discardingLongLine)
                    return false;
                SetLine(_start, _end - _start);
                _start = _end;
                _scanned = 0;
                return true;
            }
            if (_end - _start > _maxLineBytes)
            {
                _start = _end = _scanned = 0;
                if (!_discardingLongLine)
                {
                    _discardingLongLine = true;
                    SetTooLong();
                    return true;
                }
            }
            MakeRoom();
            int read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            _endOfStream = read == 0;
            _end += read;
        }
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    private void SetLine(int start, int length)
    {
        if (length > _maxLineBytes)
        {
            SetTooLong();
            return;
        }
        if (length > 0 && _buffer[start + length - 1] == (byte)'\r')
            length--;
        _lineStart = start;
        _lineLength = length;
        LineTooLong = false;
        LineNumber++;
    }

    private void SetTooLong()
    {
        _lineStart = _lineLength = 0;
        LineTooLong = true;
        LineNumber++;
    }

    private void MakeRoom()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end < _buffer.Length)
            return;
        byte[] larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
        Buffer.BlockCopy(_buffer, 0, larger, 0, _end);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
