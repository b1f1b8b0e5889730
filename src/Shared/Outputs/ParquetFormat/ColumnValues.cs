using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace ModernBert.Outputs.ParquetFormat;

/// <summary>
/// One column of a row group in memory: its values PLAIN-encoded (as in a data page) and, for list columns, each
/// row's element count (from which the repetition and definition levels follow).
/// </summary>
internal sealed class ColumnValues
{
    public ColumnValues(ColumnSpec spec, int rowCount, int valueCount, ReadOnlyMemory<byte> plain, int[]? listLengths, int[]? innerLengths = null)
    {
        if (spec.IsList != listLengths is not null)
            throw new ArgumentException($"Column '{spec.Name}': list lengths are required exactly for list columns.", nameof(listLengths));
        if (spec.IsNestedList != innerLengths is not null)
            throw new ArgumentException($"Column '{spec.Name}': inner list lengths are required exactly for lists of lists.", nameof(innerLengths));
        InnerLengths = innerLengths;
        Spec = spec;
        RowCount = rowCount;
        ValueCount = valueCount;
        Plain = plain;
        ListLengths = listLengths;
    }

    public ColumnSpec Spec { get; }

    public int RowCount { get; }

    /// <summary>How many values <see cref="Plain"/> holds: the rows, or for list columns all their elements.</summary>
    public int ValueCount { get; }

    public ReadOnlyMemory<byte> Plain { get; }

    /// <summary>Each row's element count (all its values, for lists of lists), for list columns; null otherwise.</summary>
    public int[]? ListLengths { get; }

    /// <summary>The length of each row's inner lists (0 for an empty row), for lists of lists; null otherwise.</summary>
    public int[]? InnerLengths { get; }

    /// <summary>Parquet's num_values: one level entry per element, plus one per empty list.</summary>
    public int LevelCount => ListLengths is null ? RowCount : ListLengths.Sum(length => Math.Max(length, 1));

    /// <summary>The rows in the given ranges (indexes within this column), in order.</summary>
    public ColumnValues SliceRows(IReadOnlyList<(int Start, int Count)> ranges)
    {
        int[] valueStarts = new int[RowCount + 1];
        for (int row = 0; row < RowCount; row++)
            valueStarts[row + 1] = valueStarts[row] + (ListLengths?[row] ?? 1);
        int[]? stringOffsets = Spec.ValueWidth is null ? StringByteOffsets() : null;
        int ByteOffset(int value) => stringOffsets?[value] ?? value * Spec.ValueWidth!.Value;

        var plain = new ArrayBufferWriter<byte>();
        var lengths = ListLengths is null ? null : new List<int>();
        var inner = InnerLengths is null ? null : new List<int>();
        int rows = 0, values = 0;
        foreach ((int start, int count) in ranges)
        {
            if (start < 0 || count < 0 || start + count > RowCount)
                throw new ArgumentOutOfRangeException(nameof(ranges), $"Rows [{start}, {start + count}) are outside the column's {RowCount} rows.");
            int firstValue = valueStarts[start], endValue = valueStarts[start + count];
            plain.Write(Plain.Span[ByteOffset(firstValue)..ByteOffset(endValue)]);
            lengths?.AddRange(ListLengths.AsSpan(start, count));
            inner?.AddRange(InnerLengths.AsSpan(start, count));
            rows += count;
            values += endValue - firstValue;
        }
        return new ColumnValues(Spec, rows, values, plain.WrittenMemory, lengths?.ToArray(), inner?.ToArray());
    }

    /// <summary>The byte offset in <see cref="Plain"/> where each length-prefixed string starts, plus the end.</summary>
    private int[] StringByteOffsets()
    {
        int[] offsets = new int[ValueCount + 1];
        ReadOnlySpan<byte> plain = Plain.Span;
        for (int i = 0; i < ValueCount; i++)
            offsets[i + 1] = offsets[i] + 4 + BinaryPrimitives.ReadInt32LittleEndian(plain[offsets[i]..]);
        return offsets;
    }
}

/// <summary>Accumulates one column's values row by row, PLAIN-encoding them.</summary>
internal sealed class ColumnValuesBuilder(ColumnSpec spec, int capacityBytes)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly ArrayBufferWriter<byte> _plain = new(Math.Max(capacityBytes, 256));
    private readonly List<int>? _listLengths = spec.IsList ? [] : null;
    private readonly List<int>? _innerLengths = spec.IsNestedList ? [] : null;
    private int _rowCount;
    private int _valueCount;

    public void AddString(string value)
    {
        Expect(ColumnType.String);
        WriteString(value);
        AddedRow(1);
    }

    /// <summary>Adds a row of a list&lt;struct&gt;'s string field.</summary>
    public void AddStringList(IReadOnlyList<string> values)
    {
        Expect(ColumnType.StringList);
        foreach (string value in values)
            WriteString(value);
        _listLengths!.Add(values.Count);
        AddedRow(values.Count);
    }

    private void WriteString(string value)
    {
        int length = StrictUtf8.GetByteCount(value);
        Span<byte> span = _plain.GetSpan(4 + length);
        BinaryPrimitives.WriteInt32LittleEndian(span, length);
        StrictUtf8.GetBytes(value, span[4..]);
        _plain.Advance(4 + length);
    }

    public void AddInt32(int value)
    {
        Expect(ColumnType.Int32);
        BinaryPrimitives.WriteInt32LittleEndian(_plain.GetSpan(4), value);
        _plain.Advance(4);
        AddedRow(1);
    }

    public void AddFloat32(float value)
    {
        Expect(ColumnType.Float32);
        BinaryPrimitives.WriteSingleLittleEndian(_plain.GetSpan(4), value);
        _plain.Advance(4);
        AddedRow(1);
    }

    /// <summary>Adds a row of lists of one length; a float16 column stores each value rounded to the nearest half.</summary>
    public void AddFloatListList(IReadOnlyList<float[]> lists)
    {
        if (!spec.IsNestedList)
            throw new InvalidOperationException($"Column '{spec.Name}' holds {spec.Type}, not lists of lists.");
        int width = lists.Count > 0 ? lists[0].Length : 0;
        if (lists.Count > 0 && width == 0)
            throw new ArgumentException($"Column '{spec.Name}' holds no empty inner lists.", nameof(lists));
        foreach (float[] list in lists)
        {
            if (list.Length != width)
                throw new ArgumentException($"Column '{spec.Name}': a row's inner lists hold {width} and {list.Length} values.", nameof(lists));
            AppendFloats(list);
        }
        _listLengths!.Add(lists.Count * width);
        _innerLengths!.Add(width);
        AddedRow(lists.Count * width);
    }

    /// <summary>Adds a list row; a float16 column stores each value rounded to the nearest half.</summary>
    public void AddFloatList(ReadOnlySpan<float> values)
    {
        if (spec.IsNestedList)
            throw new InvalidOperationException($"Column '{spec.Name}' holds lists of lists.");
        AppendFloats(values);
        _listLengths!.Add(values.Length);
        AddedRow(values.Length);
    }

    private void AppendFloats(ReadOnlySpan<float> values)
    {
        if (spec.IsHalf)
        {
            Span<byte> span = _plain.GetSpan(values.Length * 2);
            for (int i = 0; i < values.Length; i++)
                BinaryPrimitives.WriteHalfLittleEndian(span[(i * 2)..], (Half)values[i]);
            _plain.Advance(values.Length * 2);
        }
        else
        {
            if (spec.Type is not (ColumnType.Float32List or ColumnType.Float32ListList))
                throw new InvalidOperationException($"Column '{spec.Name}' holds {spec.Type}, not float lists.");
            Span<byte> span = _plain.GetSpan(values.Length * 4);
            for (int i = 0; i < values.Length; i++)
                BinaryPrimitives.WriteSingleLittleEndian(span[(i * 4)..], values[i]);
            _plain.Advance(values.Length * 4);
        }
    }

    /// <summary>Adds a list row to an int32, int8 or uint8 list column; the caller keeps int8/uint8 values in their range.</summary>
    public void AddInt32List(ReadOnlySpan<int> values)
    {
        if (!spec.IsIntegerList)
            throw new InvalidOperationException($"Column '{spec.Name}' holds {spec.Type}, not a list of integers.");
        Span<byte> span = _plain.GetSpan(values.Length * 4);
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteInt32LittleEndian(span[(i * 4)..], values[i]);
        _plain.Advance(values.Length * 4);
        _listLengths!.Add(values.Length);
        AddedRow(values.Length);
    }

    public ColumnValues Build() => new(spec, _rowCount, _valueCount, _plain.WrittenMemory, _listLengths?.ToArray(), _innerLengths?.ToArray());

    private void AddedRow(int values)
    {
        _rowCount++;
        _valueCount += values;
    }

    private void Expect(ColumnType type)
    {
        if (spec.Type != type)
            throw new InvalidOperationException($"Column '{spec.Name}' holds {spec.Type}, not {type}.");
    }
}

/// <summary>Reads one column's values row by row, in order.</summary>
internal sealed class ColumnValuesCursor(ColumnValues column)
{
    private int _row;
    private int _offset;

    public string NextString()
    {
        Expect(ColumnType.String);
        _row++;
        return ReadString();
    }

    public string[] NextStringList()
    {
        Expect(ColumnType.StringList);
        var values = new string[column.ListLengths![_row++]];
        for (int i = 0; i < values.Length; i++)
            values[i] = ReadString();
        return values;
    }

    private string ReadString()
    {
        ReadOnlySpan<byte> plain = column.Plain.Span[_offset..];
        int length = BinaryPrimitives.ReadInt32LittleEndian(plain);
        _offset += 4 + length;
        return Encoding.UTF8.GetString(plain.Slice(4, length));
    }

    public int NextInt32()
    {
        Expect(ColumnType.Int32);
        return BinaryPrimitives.ReadInt32LittleEndian(Take(4));
    }

    public float NextFloat32()
    {
        Expect(ColumnType.Float32);
        return BinaryPrimitives.ReadSingleLittleEndian(Take(4));
    }

    public float[][] NextFloatListList()
    {
        if (!column.Spec.IsNestedList)
            throw new InvalidOperationException($"Column '{column.Spec.Name}' holds {column.Spec.Type}, not lists of lists.");
        int width = column.InnerLengths![_row];
        float[] values = ReadFloats(column.ListLengths![_row]);
        return width == 0 ? [] : [.. values.Chunk(width)];
    }

    public float[] NextFloatList()
    {
        if (column.Spec.IsNestedList)
            throw new InvalidOperationException($"Column '{column.Spec.Name}' holds lists of lists.");
        return ReadFloats(column.ListLengths![_row]);
    }

    private float[] ReadFloats(int count)
    {
        var values = new float[count];
        if (column.Spec.IsHalf)
        {
            ReadOnlySpan<byte> bytes = Take(count * 2);
            for (int i = 0; i < count; i++)
                values[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(i * 2)..]);
        }
        else
        {
            if (column.Spec.Type is not (ColumnType.Float32List or ColumnType.Float32ListList))
                throw new InvalidOperationException($"Column '{column.Spec.Name}' holds {column.Spec.Type}, not float lists.");
            ReadOnlySpan<byte> bytes = Take(count * 4);
            for (int i = 0; i < count; i++)
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * 4)..]);
        }
        return values;
    }

    public int[] NextInt32List()
    {
        if (!column.Spec.IsIntegerList)
            throw new InvalidOperationException($"Column '{column.Spec.Name}' holds {column.Spec.Type}, not a list of integers.");
        int count = column.ListLengths![_row];
        ReadOnlySpan<byte> bytes = Take(count * 4);
        var values = new int[count];
        for (int i = 0; i < count; i++)
            values[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes[(i * 4)..]);
        return values;
    }

    private ReadOnlySpan<byte> Take(int length)
    {
        ReadOnlySpan<byte> bytes = column.Plain.Span.Slice(_offset, length);
        _offset += length;
        _row++;
        return bytes;
    }

    private void Expect(ColumnType type)
    {
        if (column.Spec.Type != type)
            throw new InvalidOperationException($"Column '{column.Spec.Name}' holds {column.Spec.Type}, not {type}.");
    }
}
