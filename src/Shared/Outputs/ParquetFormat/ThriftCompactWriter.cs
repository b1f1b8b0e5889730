using System.Buffers;
using System.Text;

namespace ModernBert.Outputs.ParquetFormat;

/// <summary>Thrift compact protocol types, as they appear in field and list headers.</summary>
internal enum ThriftType : byte
{
    Stop = 0,
    BooleanTrue = 1,
    BooleanFalse = 2,
    Byte = 3,
    I16 = 4,
    I32 = 5,
    I64 = 6,
    Double = 7,
    Binary = 8,
    List = 9,
    Set = 10,
    Map = 11,
    Struct = 12,
}

/// <summary>Writes the Thrift compact protocol, the encoding of Parquet footers and page headers.</summary>
internal sealed class ThriftCompactWriter(IBufferWriter<byte> output)
{
    private readonly Stack<short> _enclosingLastFieldIds = new();
    private short _lastFieldId;

    public void BeginStruct()
    {
        _enclosingLastFieldIds.Push(_lastFieldId);
        _lastFieldId = 0;
    }

    public void EndStruct()
    {
        WriteByte((byte)ThriftType.Stop);
        _lastFieldId = _enclosingLastFieldIds.Pop();
    }

    /// <summary>Starts a struct-typed field; the caller writes its fields and calls <see cref="EndStruct"/>.</summary>
    public void BeginStructField(short id)
    {
        WriteFieldHeader(id, ThriftType.Struct);
        BeginStruct();
    }

    /// <summary>Writes a field holding an empty struct, the encoding of Parquet's marker types (e.g. a logical type without parameters).</summary>
    public void WriteEmptyStructField(short id)
    {
        BeginStructField(id);
        EndStruct();
    }

    public void WriteI32Field(short id, int value)
    {
        WriteFieldHeader(id, ThriftType.I32);
        WriteVarint(ZigZag(value));
    }

    public void WriteI64Field(short id, long value)
    {
        WriteFieldHeader(id, ThriftType.I64);
        WriteVarint(ZigZag(value));
    }

    public void WriteStringField(short id, string value)
    {
        WriteFieldHeader(id, ThriftType.Binary);
        WriteString(value);
    }

    /// <summary>Starts a list-typed field; the caller then writes exactly <paramref name="count"/> elements.</summary>
    public void BeginListField(short id, ThriftType elementType, int count)
    {
        WriteFieldHeader(id, ThriftType.List);
        if (count < 15)
        {
            WriteByte((byte)((count << 4) | (byte)elementType));
        }
        else
        {
            WriteByte((byte)(0xF0 | (byte)elementType));
            WriteVarint((ulong)count);
        }
    }

    public void WriteI32(int value) => WriteVarint(ZigZag(value));

    public void WriteString(string value)
    {
        int length = Encoding.UTF8.GetByteCount(value);
        WriteVarint((ulong)length);
        Span<byte> span = output.GetSpan(length);
        Encoding.UTF8.GetBytes(value, span);
        output.Advance(length);
    }

    private void WriteFieldHeader(short id, ThriftType type)
    {
        int delta = id - _lastFieldId;
        if (delta is > 0 and <= 15)
        {
            WriteByte((byte)((delta << 4) | (byte)type));
        }
        else
        {
            WriteByte((byte)type);
            WriteVarint(ZigZag(id));
        }
        _lastFieldId = id;
    }

    private static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    private void WriteVarint(ulong value)
    {
        Span<byte> span = output.GetSpan(10);
        int count = 0;
        while (value >= 0x80)
        {
            span[count++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[count++] = (byte)value;
        output.Advance(count);
    }

    private void WriteByte(byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }
}
