using System.Buffers;
using ModernBert.Outputs.ParquetFormat;
using ModernBert.Storage;

namespace ModernBert.Outputs;

/// <summary>
/// What one commit made durable: the rows [<see cref="FirstRow"/>, FirstRow + <see cref="RowCount"/>) of the part file
/// (file-wide row indexes) in row group <see cref="RowGroupIndex"/>. The object's first <see cref="CommittedLength"/>
/// bytes are a valid Parquet file holding every row committed so far.
/// </summary>
public sealed record PartCommit(string Key, int RowGroupIndex, long FirstRow, int RowCount, long CommittedLength);

/// <summary>
/// One append-only Parquet part file. Commit k appends [row group k][footer k][footer length][PAR1] (the first also
/// starts with PAR1), so after every commit the object is a valid Parquet file whose last footer lists row groups
/// 0..k; earlier footers stay behind as unreferenced bytes between row groups. After a failed append the file may
/// end in a torn tail, so the writer refuses further commits; the receipts it returned stay valid.
/// One commit at a time.
/// </summary>
public sealed class PartFileWriter
{
    private readonly IObjectStore _store;
    private readonly ResultSchema _schema;
    private readonly CompressionCodec _codec;
    private readonly IReadOnlyList<KeyValuePair<string, string>> _keyValues;
    private readonly List<RowGroupMetadata> _rowGroups = [];
    private int _committing;

    /// <param name="metadata">Footer key-value metadata, e.g. from <see cref="ResultFileMetadata.Create"/>.</param>
    public PartFileWriter(IObjectStore store, string key, ResultSchema schema, ParquetCompression compression,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        _store = store;
        Key = key;
        _schema = schema;
        _codec = ToCodec(compression);
        _keyValues = metadata?.OrderBy(p => p.Key, StringComparer.Ordinal).ToList() ?? [];
    }

    public string Key { get; }

    /// <summary>The length of the object after the last successful commit (0 before the first).</summary>
    public long CommittedLength { get; private set; }

    public int RowGroupCount => _rowGroups.Count;

    public long RowCount { get; private set; }

    /// <summary>True after a failed append: the object may end in a torn tail and takes no more commits.</summary>
    public bool IsBroken { get; private set; }

    /// <summary>
    /// Writes <paramref name="rows"/> as one row group and returns once they are durable. Invalid rows throw
    /// <see cref="ArgumentException"/> before anything is written (the writer stays usable); a failed append breaks it.
    /// </summary>
    public async Task<PartCommit> CommitAsync(IReadOnlyList<ResultRow> rows, CancellationToken cancellationToken)
    {
        if (IsBroken)
            throw new InvalidOperationException($"{_store.Describe(Key)} takes no more commits after a failed append; start a new part file.");
        if (rows.Count == 0)
            throw new ArgumentException("A commit needs at least one row.", nameof(rows));
        if (Interlocked.Exchange(ref _committing, 1) == 1)
            throw new InvalidOperationException($"Another commit to {_store.Describe(Key)} is in progress; commits must not overlap.");
        try
        {
            ColumnValues[] columns = _schema.Shred(rows);
            long start = CommittedLength;
            var bytes = new ArrayBufferWriter<byte>();
            if (start == 0)
                bytes.Write(ParquetFileEncoder.Magic);
            RowGroupMetadata rowGroup = ParquetFileEncoder.WriteRowGroup(columns, _codec, start + bytes.WrittenCount, bytes);
            ParquetFileEncoder.WriteFooter(_schema.Columns, [.. _rowGroups, rowGroup], _keyValues, bytes);

            try
            {
                await _store.AppendAsync(Key, start, bytes.WrittenMemory, cancellationToken);
            }
            catch
            {
                IsBroken = true;
                throw;
            }

            var commit = new PartCommit(Key, _rowGroups.Count, RowCount, rows.Count, start + bytes.WrittenCount);
            _rowGroups.Add(rowGroup);
            RowCount += rows.Count;
            CommittedLength = commit.CommittedLength;
            return commit;
        }
        finally
        {
            Volatile.Write(ref _committing, 0);
        }
    }

    internal static CompressionCodec ToCodec(ParquetCompression compression) => compression switch
    {
        ParquetCompression.Zstd => CompressionCodec.Zstd,
        ParquetCompression.Snappy => CompressionCodec.Snappy,
        ParquetCompression.None => CompressionCodec.Uncompressed,
        _ => throw new ArgumentOutOfRangeException(nameof(compression), compression, "Unknown Parquet compression."),
    };
}
