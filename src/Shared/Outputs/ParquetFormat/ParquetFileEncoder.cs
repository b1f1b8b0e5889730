using System.Buffers;
using System.Buffers.Binary;

namespace ModernBert.Outputs.ParquetFormat;

/// <summary>The pieces of a Parquet file: the magic, row groups at given offsets, and footers.</summary>
internal static class ParquetFileEncoder
{
    private const string CreatedBy = "ModernBert result writer";

    public static ReadOnlySpan<byte> Magic => "PAR1"u8;

    /// <summary>Bytes after the footer: its 4-byte length and the magic.</summary>
    public const int TrailerSize = 8;

    /// <summary>Appends a row group; <paramref name="offset"/> is where its first byte lands in the file.</summary>
    public static RowGroupMetadata WriteRowGroup(IReadOnlyList<ColumnValues> columns, CompressionCodec codec, long offset, ArrayBufferWriter<byte> output)
    {
        int start = output.WrittenCount;
        var chunks = new List<ColumnChunkMetadata>(columns.Count);
        foreach (ColumnValues column in columns)
            chunks.Add(ColumnChunkCodec.Write(column, codec, offset + output.WrittenCount - start, output));
        return new RowGroupMetadata(chunks, chunks.Sum(c => c.TotalUncompressedSize), columns[0].RowCount);
    }

    /// <summary>Appends the footer describing <paramref name="rowGroups"/>, its length and the magic.</summary>
    public static void WriteFooter(IReadOnlyList<ColumnSpec> columns, IReadOnlyList<RowGroupMetadata> rowGroups,
        IReadOnlyList<KeyValuePair<string, string>> keyValues, ArrayBufferWriter<byte> output)
    {
        var metadata = new FileMetadata(ColumnSpec.ToSchemaElements(columns), rowGroups.Sum(g => g.NumRows), rowGroups, keyValues, CreatedBy);
        int start = output.WrittenCount;
        ParquetMetadataSerializer.Write(metadata, output);
        BinaryPrimitives.WriteInt32LittleEndian(output.GetSpan(4), output.WrittenCount - start);
        output.Advance(4);
        output.Write(Magic);
    }
}
