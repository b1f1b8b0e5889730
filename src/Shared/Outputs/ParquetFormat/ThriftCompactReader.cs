using System.Text;

namespace ModernBert.Outputs.ParquetFormat;

/// <summary>
/// Reads the Thrift compact protocol from a byte buffer. Malformed input raises <see cref="InvalidDataException"/>;
/// callers add which file and structure they were reading.
/// </summary>
internal sealed class ThriftCompactReader(ReadOnlyMemory<byte> buffer)
{
    private const int MaxDepth = 32;
    private readonly Stack<short> _enclosingLastFieldIds = new();
    private short _lastFieldId;

    /// <summary>How many bytes have been read.</summary>
    public int Position { get; private set; }

    /// <summary>
    /// Reads a struct's fields: <paramref name="readField"/> reads the value of each field id it knows and returns
    /// true, or returns false to have the value skipped.
    /// </summary>
    public void ReadStruct(Func<short, bool> readField)
    {
        BeginStruct();
        for ((short id, ThriftType type) = ReadFieldHeader(); type != ThriftType.Stop; (id, type) = ReadFieldHeader())
        {
            if (!readField(id))
                Skip(type);
        }
        EndStruct();
    }

    public (ThriftType ElementType, int Count) ReadListHeader()
    {
        byte header = ReadByte();
        int count = header >> 4;
        if (count == 15)
            count = checked((int)ReadVarint());
        if (count > buffer.Length - Position)
            throw new InvalidDataException($"A Thrift list claims {count} elements but only {buffer.Length - Position} bytes remain.");
        return ((ThriftType)(header & 0x0F), count);
    }

    public int ReadI32() => checked((int)ReadZigZag());

    public long ReadI64() => ReadZigZag();

    public string ReadString() => Encoding.UTF8.GetString(ReadBinary());

    public ReadOnlySpan<byte> ReadBinary()
    {
        int length = checked((int)ReadVarint());
        if (length > buffer.Length - Position)
            throw new InvalidDataException($"A Thrift binary of {length} bytes runs past the end of its {buffer.Length}-byte buffer.");
        ReadOnlySpan<byte> bytes = buffer.Span.Slice(Position, length);
        Position += length;
        return bytes;
    }

    /// <summary>Skips a value of the given type (a field this reader does not use).</summary>
    public void Skip(ThriftType type)
    {
        switch (type)
        {
            case ThriftType.BooleanTrue or ThriftType.BooleanFalse:
                break;
            case ThriftType.Byte:
                ReadByte();
                break;
            case ThriftType.I16 or ThriftType.I32 or ThriftType.I64:
                ReadVarint();
                break;
            case ThriftType.Double:
                Advance(8);
                break;
            case ThriftType.Binary:
                ReadBinary();
                break;
            case ThriftType.List or ThriftType.Set:
                (ThriftType elementType, int count) = ReadListHeader();
                for (int i = 0; i < count; i++)
                    SkipElement(elementType);
                break;
            case ThriftType.Map:
                int entries = checked((int)ReadVarint());
                if (entries > 0)
                {
                    byte types = ReadByte();
                    for (int i = 0; i < entries; i++)
                    {
                        SkipElement((ThriftType)(types >> 4));
                        SkipElement((ThriftType)(types & 0x0F));
                    }
                }
                break;
            case ThriftType.Struct:
                ReadStruct(_ => false);
                break;
            default:
                throw new InvalidDataException($"Unknown Thrift compact type {(byte)type} at byte {Position}.");
        }
    }

    private void BeginStruct()
    {
        if (_enclosingLastFieldIds.Count == MaxDepth)
            throw new InvalidDataException($"Thrift structures nest deeper than {MaxDepth} levels.");
        _enclosingLastFieldIds.Push(_lastFieldId);
        _lastFieldId = 0;
    }

    private void EndStruct() => _lastFieldId = _enclosingLastFieldIds.Pop();

    /// <summary>Reads the next field header of the current struct; <see cref="ThriftType.Stop"/> ends the struct.</summary>
    private (short Id, ThriftType Type) ReadFieldHeader()
    {
        byte header = ReadByte();
        var type = (ThriftType)(header & 0x0F);
        if (type == ThriftType.Stop)
            return (0, type);
        int delta = header >> 4;
        short id = delta != 0 ? (short)(_lastFieldId + delta) : checked((short)ReadZigZag());
        _lastFieldId = id;
        return (id, type);
    }

    // Inside lists, booleans take one byte each, unlike boolean fields whose value is in the header.
    private void SkipElement(ThriftType type)
    {
        if (type is ThriftType.BooleanTrue or ThriftType.BooleanFalse)
            ReadByte();
        else
            Skip(type);
    }

    private long ReadZigZag()
    {
        ulong value = ReadVarint();
        return (long)(value >> 1) ^ -(long)(value & 1);
    }

    private ulong ReadVarint()
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            byte b = ReadByte();
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
                return value;
        }
        throw new InvalidDataException($"A Thrift varint at byte {Position} is longer than 10 bytes.");
    }

    private byte ReadByte()
    {
        if (Position >= buffer.Length)
            throw new InvalidDataException($"Thrift data ends unexpectedly after {buffer.Length} bytes.");
        return buffer.Span[Position++];
    }

    private void Advance(int count)
    {
        if (count > buffer.Length - Position)
            throw new InvalidDataException($"Thrift data ends unexpectedly after {buffer.Length} bytes.");
        Position += count;
    }
}
