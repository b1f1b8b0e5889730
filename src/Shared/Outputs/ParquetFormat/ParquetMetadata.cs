namespace ModernBert.Outputs.ParquetFormat;

// The subset of the Parquet metadata (parquet.thrift) that result files use. Field ids are those of parquet.thrift;
// fields this subset does not model are skipped when read and never written.

internal enum PhysicalType
{
    Boolean = 0,
    Int32 = 1,
    Int64 = 2,
    Int96 = 3,
    Float = 4,
    Double = 5,
    ByteArray = 6,
    FixedLenByteArray = 7,
}

internal enum FieldRepetition
{
    Required = 0,
    Optional = 1,
    Repeated = 2,
}

internal enum ConvertedType
{
    Utf8 = 0,
    List = 3,
    Uint8 = 11,
    Int8 = 15,
}

/// <summary>The member of parquet.thrift's LogicalType union; the value is its field id.</summary>
internal enum LogicalType
{
    String = 1,
    List = 3,
    Float16 = 15,
}

internal enum PageEncoding
{
    Plain = 0,
    Rle = 3,
}

internal enum CompressionCodec
{
    Uncompressed = 0,
    Snappy = 1,
    Zstd = 6,
}

internal enum PageType
{
    DataPage = 0,
}

internal sealed record SchemaElement(
    string Name,
    PhysicalType? Type = null,
    int? TypeLength = null,
    FieldRepetition? Repetition = null,
    int? NumChildren = null,
    ConvertedType? ConvertedType = null,
    LogicalType? LogicalType = null);

internal sealed record ColumnChunkMetadata(
    PhysicalType Type,
    IReadOnlyList<PageEncoding> Encodings,
    IReadOnlyList<string> Path,
    CompressionCodec Codec,
    long NumValues,
    long TotalUncompressedSize,
    long TotalCompressedSize,
    long DataPageOffset,
    long? DictionaryPageOffset = null);

internal sealed record RowGroupMetadata(IReadOnlyList<ColumnChunkMetadata> Columns, long TotalByteSize, long NumRows);

internal sealed record FileMetadata(
    IReadOnlyList<SchemaElement> Schema,
    long NumRows,
    IReadOnlyList<RowGroupMetadata> RowGroups,
    IReadOnlyList<KeyValuePair<string, string>> KeyValues,
    string? CreatedBy);

internal sealed record DataPageHeader(int NumValues, PageEncoding Encoding, PageEncoding DefinitionLevelEncoding, PageEncoding RepetitionLevelEncoding);

internal sealed record PageHeader(PageType Type, int UncompressedSize, int CompressedSize, DataPageHeader? DataPage);
