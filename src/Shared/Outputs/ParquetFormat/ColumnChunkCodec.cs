using System.Buffers;
using System.Buffers.Binary;

namespace ModernBert.Outputs.ParquetFormat;

/// <summary>
/// Encodes a column of a row group as a column chunk holding one data page (v1, PLAIN values, RLE levels, no
/// statistics), and decodes such chunks.
/// </summary>
internal static class ColumnChunkCodec
{
    /// <summary>Appends the chunk to <paramref name="output"/>; <paramref name="offset"/> is where its first byte lands in the file.</summary>
    public static ColumnChunkMetadata Write(ColumnValues column, CompressionCodec codec, long offset, ArrayBufferWriter<byte> output)
    {
        var body = new ArrayBufferWriter<byte>(column.Plain.Length + 64);
        if (column.InnerLengths is { } inner)
            LevelEncoding.WriteNestedListLevels(column.ListLengths, inner, body);
        else if (column.ListLengths is { } lengths)
            LevelEncoding.WriteListLevels(lengths, body);
        body.Write(column.Plain.Span);
        ReadOnlyMemory<byte> compressed = PageCompression.Compress(codec, body.WrittenMemory);

        int levelCount = column.LevelCount;
        var header = new PageHeader(PageType.DataPage, body.WrittenCount, compressed.Length,
            new DataPageHeader(levelCount, PageEncoding.Plain, PageEncoding.Rle, PageEncoding.Rle));
        int headerStart = output.WrittenCount;
        ParquetMetadataSerializer.Write(header, output);
        int headerSize = output.WrittenCount - headerStart;
        output.Write(compressed.Span);

        PageEncoding[] encodings = column.Spec.IsList ? [PageEncoding.Plain, PageEncoding.Rle] : [PageEncoding.Plain];
        return new ColumnChunkMetadata(column.Spec.PhysicalType, encodings, column.Spec.Path, codec, levelCount,
            headerSize + body.WrittenCount, headerSize + compressed.Length, offset);
    }

    /// <summary>Decodes a chunk written by <see cref="Write"/>. Errors are <see cref="InvalidDataException"/>s that the caller places.</summary>
    public static ColumnValues Read(ColumnSpec spec, ColumnChunkMetadata metadata, ReadOnlyMemory<byte> chunk, long rowCount)
    {
        if (metadata.DictionaryPageOffset is not null)
            throw new InvalidDataException("The column chunk has a dictionary page; result files use PLAIN encoding only.");
        PageHeader header = ParquetMetadataSerializer.ReadPageHeader(chunk, out int headerSize);
        if (header.Type != PageType.DataPage || header.DataPage is not { } page)
            throw new InvalidDataException($"The column chunk starts with a {header.Type} page; result files hold one data page (v1) per chunk.");
        if (headerSize + header.CompressedSize != chunk.Length)
            throw new InvalidDataException($"The column chunk holds {chunk.Length} bytes but its one page takes {headerSize + header.CompressedSize}; result files hold one page per chunk.");
        if (page.Encoding != PageEncoding.Plain)
            throw new InvalidDataException($"The data page uses encoding {page.Encoding}; result files use PLAIN.");
        if (page.NumValues != metadata.NumValues)
            throw new InvalidDataException($"The data page holds {page.NumValues} values but the chunk metadata says {metadata.NumValues}.");

        ReadOnlyMemory<byte> body = PageCompression.Decompress(metadata.Codec, chunk[headerSize..], header.UncompressedSize);
        int[]? lengths = null, inner = null;
        int valueCount = page.NumValues;
        if (spec.IsNestedList)
        {
            (lengths, inner) = LevelEncoding.ReadNestedListLengths(body.Span, page.NumValues, out int levelsSize);
            body = body[levelsSize..];
            valueCount = lengths.Sum();
        }
        else if (spec.IsList)
        {
            lengths = LevelEncoding.ReadListLengths(body.Span, page.NumValues, out int levelsSize);
            body = body[levelsSize..];
            valueCount = lengths.Sum();
        }
        int rows = lengths?.Length ?? page.NumValues;
        if (rows != rowCount)
            throw new InvalidDataException($"The column chunk holds {rows} rows but its row group has {rowCount}.");
        CheckPlainSize(spec, body.Span, valueCount);
        return new ColumnValues(spec, rows, valueCount, body, lengths, inner);
    }

    private static void CheckPlainSize(ColumnSpec spec, ReadOnlySpan<byte> plain, int valueCount)
    {
        long expected;
        if (spec.ValueWidth is { } width)
        {
            expected = (long)valueCount * width;
        }
        else
        {
            expected = 0;
            for (int i = 0; i < valueCount; i++)
            {
                if (plain.Length - expected < 4)
                    throw new InvalidDataException($"String value {i} of {valueCount} runs past the page.");
                expected += 4 + (uint)BinaryPrimitives.ReadInt32LittleEndian(plain[(int)expected..]);
            }
        }
        if (expected != plain.Length)
            throw new InvalidDataException($"The page's {valueCount} values should take {expected} bytes but take {plain.Length}.");
    }
}
