using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace ModernBert.Inputs;

/// <summary>
/// Decompresses gzip data (RFC 1952), concatenated members included, and checks every member's CRC-32 and length.
/// It exists because <see cref="GZipStream"/> silently returns what it decoded when the data ends early, which would
/// make a truncated corpus file look complete. Corrupt or truncated data throws <see cref="InvalidDataException"/>.
/// Each member's deflate data goes through <see cref="DeflateStream"/>; since that stream reads ahead, the member's
/// trailer is found afterwards by its expected bytes (CRC-32 and length) in the last input chunk handed to it.
/// </summary>
internal sealed class StrictGzipStream : ForwardReadStream
{
    private const int ChunkBytes = 1 << 16;
    private const int TrailerBytes = 8;
    private const byte FlagHeaderCrc = 2, FlagExtra = 4, FlagName = 8, FlagComment = 16, ReservedFlags = 0xE0;

    private readonly Stream _source;
    private readonly byte[] _input = new byte[ChunkBytes + TrailerBytes + 2];
    private int _start;
    private int _end;
    private int _lastChunkLength;
    private DeflateStream? _member;
    private readonly Crc32 _crc = new();
    private long _memberLength;
    private bool _started;
    private bool _finished;

    public StrictGzipStream(Stream source)
    {
        _source = source;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (destination.Length == 0)
            return 0;
        while (!_finished)
        {
            if (_member is null && !await StartMemberAsync(cancellationToken))
            {
                _finished = true;
                break;
            }
            int read = await _member!.ReadAsync(destination, cancellationToken);
            if (read > 0)
            {
                _crc.Append(destination.Span[..read]);
                _memberLength += read;
                return read;
            }
            await FinishMemberAsync(cancellationToken);
        }
        return 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _member?.Dispose();
            _source.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>Reads the next member's header; false at the end of the data after at least one member.</summary>
    private async ValueTask<bool> StartMemberAsync(CancellationToken cancellationToken)
    {
        if (!await EnsureAsync(1, cancellationToken))
        {
            if (!_started)
                throw new InvalidDataException("The gzip data is empty.");
            return false;
        }
        _started = true;
        await RequireHeaderAsync(10, cancellationToken);
        ReadOnlySpan<byte> header = _input.AsSpan(_start, 10);
        if (header[0] != 0x1F || header[1] != 0x8B || header[2] != 8)
            throw new InvalidDataException($"Expected a gzip member header (1F 8B 08) at the start or after the previous member, found {Convert.ToHexString(header[..3])}.");
        byte flags = header[3];
        if ((flags & ReservedFlags) != 0)
            throw new InvalidDataException($"The gzip header has reserved flags set ({flags:X2}).");
        _start += 10;
        if ((flags & FlagExtra) != 0)
        {
            await RequireHeaderAsync(2, cancellationToken);
            int extraLength = BinaryPrimitives.ReadUInt16LittleEndian(_input.AsSpan(_start));
            _start += 2;
            await SkipAsync(extraLength, cancellationToken);
        }
        if ((flags & FlagName) != 0)
            await SkipZeroTerminatedAsync(cancellationToken);
        if ((flags & FlagComment) != 0)
            await SkipZeroTerminatedAsync(cancellationToken);
        if ((flags & FlagHeaderCrc) != 0)
            await SkipAsync(2, cancellationToken);

        _crc.Reset();
        _memberLength = 0;
        _lastChunkLength = 0;
        _member = new DeflateStream(new MemberInput(this), CompressionMode.Decompress, leaveOpen: false);
        return true;
    }

    /// <summary>Finds the trailer the decoded member must have, checks it, and positions the input after it.</summary>
    private async ValueTask FinishMemberAsync(CancellationToken cancellationToken)
    {
        await _member!.DisposeAsync();
        _member = null;
        Span<byte> trailer = stackalloc byte[TrailerBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, _crc.GetCurrentHashAsUInt32());
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[4..], unchecked((uint)_memberLength));
        byte[] expected = trailer.ToArray();

        // The deflate data ended inside the last chunk handed to the decoder, so the trailer starts there: at the first
        // place holding the expected bytes that the data's end or the next member's header follows. Only that can tell
        // the trailer from the deflate data's own last bytes: an empty member's trailer is eight zeros, and its deflate
        // data (03 00) ends with one more. Failing that, the first place holding them, for the next header's check to
        // name what follows.
        int searched = _lastChunkLength;
        _start -= searched;
        await EnsureAsync(searched + TrailerBytes, cancellationToken);
        int first = -1;
        for (int at = 0; at <= searched; at++)
        {
            int match = _input.AsSpan(_start + at, _end - _start - at).IndexOf(expected);
            if (match < 0 || at + match > searched)
                break;
            at += match;
            if (first < 0)
                first = at;
            if (await EndsMemberAsync(at + TrailerBytes, cancellationToken))
            {
                first = at;
                break;
            }
        }
        if (first < 0)
            throw new InvalidDataException(
                $"The gzip data is truncated or corrupt: a member's data ends without its trailer (CRC-32 {_crc.GetCurrentHashAsUInt32():X8}, {_memberLength} bytes).");
        _start += first + TrailerBytes;
    }

    /// <summary>Whether the unread data ends <paramref name="offset"/> bytes on, or a gzip member starts there.</summary>
    private async ValueTask<bool> EndsMemberAsync(int offset, CancellationToken cancellationToken)
    {
        if (!await EnsureAsync(offset + 2, cancellationToken))
            return _end - _start == offset;
        return _input[_start + offset] == 0x1F && _input[_start + offset + 1] == 0x8B;
    }

    /// <summary>Makes at least <paramref name="count"/> unread bytes available; false when the data ends first.</summary>
    private async ValueTask<bool> EnsureAsync(int count, CancellationToken cancellationToken)
    {
        while (_end - _start < count)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_input, _start, _input, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            int read = await _source.ReadAsync(_input.AsMemory(_end), cancellationToken);
            if (read == 0)
                return false;
            _end += read;
        }
        return true;
    }

    private async ValueTask RequireHeaderAsync(int count, CancellationToken cancellationToken)
    {
        if (!await EnsureAsync(count, cancellationToken))
            throw new InvalidDataException("The gzip data is truncated inside a member header.");
    }

    private async ValueTask SkipAsync(int count, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            await RequireHeaderAsync(1, cancellationToken);
            int skipped = Math.Min(count, _end - _start);
            _start += skipped;
            count -= skipped;
        }
    }

    private async ValueTask SkipZeroTerminatedAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await RequireHeaderAsync(1, cancellationToken);
            int zero = _input.AsSpan(_start, _end - _start).IndexOf((byte)0);
            if (zero >= 0)
            {
                _start += zero + 1;
                return;
            }
            _start = _end;
        }
    }

    /// <summary>Hands the compressed bytes to the member's <see cref="DeflateStream"/>, remembering the last chunk given.</summary>
    private sealed class MemberInput(StrictGzipStream owner) : ForwardReadStream
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
        {
            if (owner._start == owner._end)
            {
                owner._start = owner._end = 0;
                owner._end = await owner._source.ReadAsync(owner._input.AsMemory(0, ChunkBytes), cancellationToken);
            }
            int count = Math.Min(destination.Length, Math.Min(owner._end - owner._start, ChunkBytes));
            owner._input.AsSpan(owner._start, count).CopyTo(destination.Span);
            owner._start += count;
            owner._lastChunkLength = count;
            return count;
        }
    }
}
