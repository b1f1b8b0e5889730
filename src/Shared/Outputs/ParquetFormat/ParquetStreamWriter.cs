using System.Buffers;

namespace ModernBert.Outputs.ParquetFormat;

/// <summary>Writes a Parquet file to a stream in one pass: row groups as they come, the single footer at the end.</summary>
internal sealed class ParquetStreamWriter(Stream output, IReadOnlyList<ColumnSpec> columns, CompressionCodec codec,
    IReadOnlyList<KeyValuePair<string, string>> keyValues)
{
    private readonly List<RowGroupMetadata> _rowGroups = [];
    private long _length;

    public async Task WriteRowGroupAsync(IReadOnlyList<ColumnValues> rowGroup, CancellationToken cancellationToken)
    {
        var bytes = new ArrayBufferWriter<byte>();
        WriteMagicIfFirst(bytes);
        _rowGroups.Add(ParquetFileEncoder.WriteRowGroup(rowGroup, codec, _length + bytes.WrittenCount, bytes));
        await WriteAsync(bytes, cancellationToken);
    }

    public async Task FinishAsync(CancellationToken cancellationToken)
    {
        var bytes = new ArrayBufferWriter<byte>();
        WriteMagicIfFirst(bytes);
        ParquetFileEncoder.WriteFooter(columns, _rowGroups, keyValues, bytes);
        await WriteAsync(bytes, cancellationToken);
    }

    private void WriteMagicIfFirst(ArrayBufferWriter<byte> bytes)
    {
        if (_length == 0)
            bytes.Write(ParquetFileEncoder.Magic);
    }

    private async Task WriteAsync(ArrayBufferWriter<byte> bytes, CancellationToken cancellationToken)
    {
        await output.WriteAsync(bytes.WrittenMemory, cancellationToken);
        _length += bytes.WrittenCount;
    }
}
