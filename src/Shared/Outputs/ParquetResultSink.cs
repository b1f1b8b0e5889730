using ModernBert.Outputs.ParquetFormat;

namespace ModernBert.Outputs;

/// <summary>Writes one Parquet result file, buffering rows into row groups of about <see cref="RowGroupBytes"/>.</summary>
internal sealed class ParquetResultSink(string path, ResultSchema schema, ParquetCompression compression, IReadOnlyDictionary<string, string>? metadata)
    : IResultSink
{
    internal const long RowGroupBytes = 32L << 20;

    private readonly PartialOutputFile _file = new(path);
    private readonly List<ResultRow> _pending = [];
    private ParquetStreamWriter? _writer;
    private long _pendingBytes;

    public async Task WriteAsync(IReadOnlyList<ResultRow> rows, CancellationToken cancellationToken)
    {
        foreach (ResultRow row in rows)
        {
            _pending.Add(row);
            _pendingBytes += schema.EstimateBytes(row);
            if (_pendingBytes >= RowGroupBytes)
                await FlushAsync(cancellationToken);
        }
    }

    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        await Writer.FinishAsync(cancellationToken);
        await _file.PublishAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => _file.DisposeAsync();

    private ParquetStreamWriter Writer => _writer ??= new ParquetStreamWriter(_file.Stream, schema.Columns, PartFileWriter.ToCodec(compression),
        metadata?.OrderBy(p => p.Key, StringComparer.Ordinal).ToList() ?? []);

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_pending.Count == 0)
            return;
        await Writer.WriteRowGroupAsync(schema.Shred(_pending), cancellationToken);
        _pending.Clear();
        _pendingBytes = 0;
    }
}
