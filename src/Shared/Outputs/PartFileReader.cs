using System.Buffers.Binary;
using ModernBert.Outputs.ParquetFormat;
using ModernBert.Storage;

namespace ModernBert.Outputs;

/// <summary>A row group of a result file: rows [<see cref="FirstRow"/>, FirstRow + <see cref="RowCount"/>) at bytes [<see cref="Offset"/>, Offset + <see cref="Length"/>).</summary>
public sealed record PartRowGroup(int Index, long FirstRow, int RowCount, long Offset, long Length);

/// <summary>
/// Reads a result file written by <see cref="PartFileWriter"/> (or a result sink) through ranged reads: its footer
/// on opening, then row groups on demand. Other Parquet layouts are rejected with <see cref="InvalidDataException"/>.
/// </summary>
public sealed class PartFileReader
{
    private readonly IObjectStore _store;
    private readonly FileMetadata _metadata;

    private PartFileReader(IObjectStore store, string key, long length, FileMetadata metadata, ResultSchema schema, IReadOnlyList<PartRowGroup> rowGroups)
    {
        _store = store;
        Key = key;
        Length = length;
        _metadata = metadata;
        Schema = schema;
        RowGroups = rowGroups;
        KeyValueMetadata = metadata.KeyValues.ToDictionary();
    }

    public string Key { get; }

    /// <summary>The bytes read as the file: the object's prefix of this length.</summary>
    public long Length { get; }

    public ResultSchema Schema { get; }

    public IReadOnlyList<PartRowGroup> RowGroups { get; }

    public long RowCount => _metadata.NumRows;

    public IReadOnlyDictionary<string, string> KeyValueMetadata { get; }

    /// <summary>
    /// Opens the object's first <paramref name="length"/> bytes as a result file (all of it when null), e.g. a part
    /// file up to the committed length of its last reported commit, whose columns must be <paramref name="schema"/>'s
    /// (the run's task's).
    /// </summary>
    public static async Task<PartFileReader> OpenAsync(IObjectStore store, string key, long? length, ResultSchema schema,
        CancellationToken cancellationToken)
    {
        string location = store.Describe(key);
        long actualLength = await store.GetLengthAsync(key, cancellationToken) ?? throw new ObjectNotFoundException(location);
        long fileLength = length ?? actualLength;
        if (fileLength > actualLength)
            throw new InvalidDataException($"{location} holds {actualLength} bytes, fewer than the {fileLength} expected.");
        int minimum = ParquetFileEncoder.Magic.Length + ParquetFileEncoder.TrailerSize;
        if (fileLength < minimum)
            throw new InvalidDataException($"{location}: {fileLength} bytes are too few for a Parquet file.");

        byte[] head = await store.ReadRangeAsync(key, 0, ParquetFileEncoder.Magic.Length, cancellationToken);
        byte[] trailer = await store.ReadRangeAsync(key, fileLength - ParquetFileEncoder.TrailerSize, ParquetFileEncoder.TrailerSize, cancellationToken);
        if (!head.AsSpan().SequenceEqual(ParquetFileEncoder.Magic) || !trailer.AsSpan(4).SequenceEqual(ParquetFileEncoder.Magic))
            throw new InvalidDataException($"{location}: the first {fileLength} bytes are not a Parquet file (no PAR1 at both ends).");
        int footerLength = BinaryPrimitives.ReadInt32LittleEndian(trailer);
        if (footerLength <= 0 || footerLength > fileLength - minimum)
            throw new InvalidDataException($"{location}: the footer length {footerLength} does not fit in {fileLength} bytes.");
        byte[] footer = await store.ReadRangeAsync(key, fileLength - ParquetFileEncoder.TrailerSize - footerLength, footerLength, cancellationToken);

        FileMetadata metadata;
        try
        {
            metadata = ParquetMetadataSerializer.ReadFileMetadata(footer);
            List<ColumnSpec> columns = ColumnSpec.FromSchemaElements(metadata.Schema);
            if (!columns.SequenceEqual(schema.Columns))
                throw new InvalidDataException($"Its columns ({string.Join(", ", columns.Select(c => c.Describe()))}) are not those of the run's results ({schema}).");
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{location}: {e.Message}", e);
        }
        return new PartFileReader(store, key, fileLength, metadata, schema, DescribeRowGroups(metadata, schema, fileLength, footerLength, location));
    }

    /// <summary>Reads one row group's rows.</summary>
    public async Task<IReadOnlyList<ResultRow>> ReadRowGroupAsync(int index, CancellationToken cancellationToken) =>
        Schema.Assemble(await ReadColumnsAsync(index, cancellationToken));

    /// <summary>Reads every row, in order.</summary>
    public async Task<IReadOnlyList<ResultRow>> ReadAllAsync(CancellationToken cancellationToken)
    {
        var rows = new List<ResultRow>();
        for (int i = 0; i < RowGroups.Count; i++)
            rows.AddRange(await ReadRowGroupAsync(i, cancellationToken));
        return rows;
    }

    internal async Task<ColumnValues[]> ReadColumnsAsync(int index, CancellationToken cancellationToken)
    {
        PartRowGroup rowGroup = RowGroups[index];
        byte[] bytes = await _store.ReadRangeAsync(Key, rowGroup.Offset, checked((int)rowGroup.Length), cancellationToken);
        RowGroupMetadata metadata = _metadata.RowGroups[index];
        var columns = new ColumnValues[metadata.Columns.Count];
        for (int c = 0; c < columns.Length; c++)
        {
            ColumnChunkMetadata chunk = metadata.Columns[c];
            ColumnSpec spec = Schema.Columns[c];
            try
            {
                var chunkBytes = new ReadOnlyMemory<byte>(bytes, (int)(chunk.DataPageOffset - rowGroup.Offset), (int)chunk.TotalCompressedSize);
                columns[c] = ColumnChunkCodec.Read(spec, chunk, chunkBytes, rowGroup.RowCount);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{_store.Describe(Key)}, row group {index}, column '{spec.Name}': {e.Message}", e);
            }
        }
        return columns;
    }

    private static List<PartRowGroup> DescribeRowGroups(FileMetadata metadata, ResultSchema schema, long fileLength, int footerLength, string location)
    {
        long dataEnd = fileLength - ParquetFileEncoder.TrailerSize - footerLength;
        var rowGroups = new List<PartRowGroup>(metadata.RowGroups.Count);
        long firstRow = 0;
        for (int i = 0; i < metadata.RowGroups.Count; i++)
        {
            RowGroupMetadata rowGroup = metadata.RowGroups[i];
            if (rowGroup.Columns.Count != schema.Columns.Count)
                throw new InvalidDataException($"{location}: row group {i} has {rowGroup.Columns.Count} columns, the schema {schema.Columns.Count}.");
            long start = rowGroup.Columns.Min(c => c.DataPageOffset);
            long end = rowGroup.Columns.Max(c => c.DataPageOffset + c.TotalCompressedSize);
            for (int c = 0; c < rowGroup.Columns.Count; c++)
            {
                ColumnChunkMetadata chunk = rowGroup.Columns[c];
                if (!chunk.Path.SequenceEqual(schema.Columns[c].Path) || chunk.Type != schema.Columns[c].PhysicalType)
                    throw new InvalidDataException($"{location}: row group {i} column {c} ({string.Join('.', chunk.Path)}) does not match the schema.");
            }
            if (start < ParquetFileEncoder.Magic.Length || end > dataEnd || end - start > int.MaxValue || rowGroup.NumRows is < 0 or > int.MaxValue)
                throw new InvalidDataException($"{location}: row group {i} spans bytes [{start}, {end}) with {rowGroup.NumRows} rows, outside the file's data [4, {dataEnd}).");
            rowGroups.Add(new PartRowGroup(i, firstRow, (int)rowGroup.NumRows, start, end - start));
            firstRow += rowGroup.NumRows;
        }
        if (firstRow != metadata.NumRows)
            throw new InvalidDataException($"{location}: the row groups hold {firstRow} rows but the footer says {metadata.NumRows}.");
        return rowGroups;
    }
}
