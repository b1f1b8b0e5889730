using System.Buffers;

namespace ModernBert.Outputs.ParquetFormat;

/// <summary>Encodes and decodes <see cref="FileMetadata"/> and <see cref="PageHeader"/> in the Thrift compact protocol.</summary>
internal static class ParquetMetadataSerializer
{
    public static void Write(FileMetadata metadata, IBufferWriter<byte> output)
    {
        var writer = new ThriftCompactWriter(output);
        writer.BeginStruct();
        writer.WriteI32Field(1, 1);
        writer.BeginListField(2, ThriftType.Struct, metadata.Schema.Count);
        foreach (SchemaElement element in metadata.Schema)
            WriteSchemaElement(writer, element);
        writer.WriteI64Field(3, metadata.NumRows);
        writer.BeginListField(4, ThriftType.Struct, metadata.RowGroups.Count);
        foreach (RowGroupMetadata rowGroup in metadata.RowGroups)
            WriteRowGroup(writer, rowGroup);
        if (metadata.KeyValues.Count > 0)
        {
            writer.BeginListField(5, ThriftType.Struct, metadata.KeyValues.Count);
            foreach ((string key, string value) in metadata.KeyValues)
            {
                writer.BeginStruct();
                writer.WriteStringField(1, key);
                writer.WriteStringField(2, value);
                writer.EndStruct();
            }
        }
        if (metadata.CreatedBy != null)
            writer.WriteStringField(6, metadata.CreatedBy);
        writer.EndStruct();
    }

    public static void Write(PageHeader header, IBufferWriter<byte> output)
    {
        var writer = new ThriftCompactWriter(output);
        writer.BeginStruct();
        writer.WriteI32Field(1, (int)header.Type);
        writer.WriteI32Field(2, header.UncompressedSize);
        writer.WriteI32Field(3, header.CompressedSize);
        if (header.DataPage is { } page)
        {
            writer.BeginStructField(5);
            writer.WriteI32Field(1, page.NumValues);
            writer.WriteI32Field(2, (int)page.Encoding);
            writer.WriteI32Field(3, (int)page.DefinitionLevelEncoding);
            writer.WriteI32Field(4, (int)page.RepetitionLevelEncoding);
            writer.EndStruct();
        }
        writer.EndStruct();
    }

    public static FileMetadata ReadFileMetadata(ReadOnlyMemory<byte> buffer)
    {
        var reader = new ThriftCompactReader(buffer);
        List<SchemaElement>? schema = null;
        long? numRows = null;
        List<RowGroupMetadata>? rowGroups = null;
        var keyValues = new List<KeyValuePair<string, string>>();
        string? createdBy = null;
        reader.ReadStruct(id =>
        {
            switch (id)
            {
                case 2:
                    schema = ReadList(reader, ReadSchemaElement);
                    return true;
                case 3:
                    numRows = reader.ReadI64();
                    return true;
                case 4:
                    rowGroups = ReadList(reader, ReadRowGroup);
                    return true;
                case 5:
                    keyValues = ReadList(reader, ReadKeyValue);
                    return true;
                case 6:
                    createdBy = reader.ReadString();
                    return true;
                default:
                    return false;
            }
        });
        return new FileMetadata(
            schema ?? throw Missing("FileMetaData.schema"),
            numRows ?? throw Missing("FileMetaData.num_rows"),
            rowGroups ?? throw Missing("FileMetaData.row_groups"),
            keyValues,
            createdBy);
    }

    /// <summary>Reads a page header at the start of <paramref name="buffer"/>; <paramref name="length"/> is its encoded size.</summary>
    public static PageHeader ReadPageHeader(ReadOnlyMemory<byte> buffer, out int length)
    {
        var reader = new ThriftCompactReader(buffer);
        PageType? pageType = null;
        int? uncompressedSize = null, compressedSize = null;
        DataPageHeader? dataPage = null;
        reader.ReadStruct(id =>
        {
            switch (id)
            {
                case 1:
                    pageType = (PageType)reader.ReadI32();
                    return true;
                case 2:
                    uncompressedSize = reader.ReadI32();
                    return true;
                case 3:
                    compressedSize = reader.ReadI32();
                    return true;
                case 5:
                    dataPage = ReadDataPageHeader(reader);
                    return true;
                default:
                    return false;
            }
        });
        length = reader.Position;
        return new PageHeader(
            pageType ?? throw Missing("PageHeader.type"),
            uncompressedSize ?? throw Missing("PageHeader.uncompressed_page_size"),
            compressedSize ?? throw Missing("PageHeader.compressed_page_size"),
            dataPage);
    }

    private static void WriteSchemaElement(ThriftCompactWriter writer, SchemaElement element)
    {
        writer.BeginStruct();
        if (element.Type is { } type)
            writer.WriteI32Field(1, (int)type);
        if (element.TypeLength is { } typeLength)
            writer.WriteI32Field(2, typeLength);
        if (element.Repetition is { } repetition)
            writer.WriteI32Field(3, (int)repetition);
        writer.WriteStringField(4, element.Name);
        if (element.NumChildren is { } numChildren)
            writer.WriteI32Field(5, numChildren);
        if (element.ConvertedType is { } convertedType)
            writer.WriteI32Field(6, (int)convertedType);
        if (element.LogicalType is { } logicalType)
        {
            writer.BeginStructField(10);
            writer.WriteEmptyStructField((short)logicalType);
            writer.EndStruct();
        }
        writer.EndStruct();
    }

    private static void WriteRowGroup(ThriftCompactWriter writer, RowGroupMetadata rowGroup)
    {
        writer.BeginStruct();
        writer.BeginListField(1, ThriftType.Struct, rowGroup.Columns.Count);
        foreach (ColumnChunkMetadata column in rowGroup.Columns)
            WriteColumnChunk(writer, column);
        writer.WriteI64Field(2, rowGroup.TotalByteSize);
        writer.WriteI64Field(3, rowGroup.NumRows);
        if (rowGroup.Columns.Count > 0)
        {
            writer.WriteI64Field(5, rowGroup.Columns[0].DataPageOffset);
            writer.WriteI64Field(6, rowGroup.Columns.Sum(c => c.TotalCompressedSize));
        }
        writer.EndStruct();
    }

    private static void WriteColumnChunk(ThriftCompactWriter writer, ColumnChunkMetadata column)
    {
        writer.BeginStruct();
        writer.WriteI64Field(2, column.DataPageOffset);
        writer.BeginStructField(3);
        writer.WriteI32Field(1, (int)column.Type);
        writer.BeginListField(2, ThriftType.I32, column.Encodings.Count);
        foreach (PageEncoding encoding in column.Encodings)
            writer.WriteI32((int)encoding);
        writer.BeginListField(3, ThriftType.Binary, column.Path.Count);
        foreach (string part in column.Path)
            writer.WriteString(part);
        writer.WriteI32Field(4, (int)column.Codec);
        writer.WriteI64Field(5, column.NumValues);
        writer.WriteI64Field(6, column.TotalUncompressedSize);
        writer.WriteI64Field(7, column.TotalCompressedSize);
        writer.WriteI64Field(9, column.DataPageOffset);
        if (column.DictionaryPageOffset is { } dictionaryPageOffset)
            writer.WriteI64Field(11, dictionaryPageOffset);
        writer.EndStruct();
        writer.EndStruct();
    }

    private static SchemaElement ReadSchemaElement(ThriftCompactReader reader)
    {
        string? name = null;
        PhysicalType? physicalType = null;
        int? typeLength = null, numChildren = null;
        FieldRepetition? repetition = null;
        ConvertedType? convertedType = null;
        LogicalType? logicalType = null;
        reader.ReadStruct(id =>
        {
            switch (id)
            {
                case 1:
                    physicalType = (PhysicalType)reader.ReadI32();
                    return true;
                case 2:
                    typeLength = reader.ReadI32();
                    return true;
                case 3:
                    repetition = (FieldRepetition)reader.ReadI32();
                    return true;
                case 4:
                    name = reader.ReadString();
                    return true;
                case 5:
                    numChildren = reader.ReadI32();
                    return true;
                case 6:
                    convertedType = (ConvertedType)reader.ReadI32();
                    return true;
                case 10:
                    logicalType = ReadLogicalType(reader);
                    return true;
                default:
                    return false;
            }
        });
        return new SchemaElement(name ?? throw Missing("SchemaElement.name"), physicalType, typeLength, repetition, numChildren, convertedType, logicalType);
    }

    private static LogicalType? ReadLogicalType(ThriftCompactReader reader)
    {
        LogicalType? member = null;
        reader.ReadStruct(id =>
        {
            member = (LogicalType)id;
            return false;
        });
        return member;
    }

    private static RowGroupMetadata ReadRowGroup(ThriftCompactReader reader)
    {
        List<ColumnChunkMetadata>? columns = null;
        long? totalByteSize = null, numRows = null;
        reader.ReadStruct(id =>
        {
            switch (id)
            {
                case 1:
                    columns = ReadList(reader, ReadColumnChunk);
                    return true;
                case 2:
                    totalByteSize = reader.ReadI64();
                    return true;
                case 3:
                    numRows = reader.ReadI64();
                    return true;
                default:
                    return false;
            }
        });
        return new RowGroupMetadata(
            columns ?? throw Missing("RowGroup.columns"),
            totalByteSize ?? throw Missing("RowGroup.total_byte_size"),
            numRows ?? throw Missing("RowGroup.num_rows"));
    }

    private static ColumnChunkMetadata ReadColumnChunk(ThriftCompactReader reader)
    {
        ColumnChunkMetadata? metadata = null;
        reader.ReadStruct(id =>
        {
            if (id != 3)
                return false;
            metadata = ReadColumnMetadata(reader);
            return true;
        });
        return metadata ?? throw Missing("ColumnChunk.meta_data");
    }

    private static ColumnChunkMetadata ReadColumnMetadata(ThriftCompactReader reader)
    {
        PhysicalType? physicalType = null;
        List<PageEncoding>? encodings = null;
        List<string>? path = null;
        CompressionCodec? codec = null;
        long? numValues = null, uncompressedSize = null, compressedSize = null, dataPageOffset = null, dictionaryPageOffset = null;
        reader.ReadStruct(id =>
        {
            switch (id)
            {
                case 1:
                    physicalType = (PhysicalType)reader.ReadI32();
                    return true;
                case 2:
                    encodings = ReadList(reader, r => (PageEncoding)r.ReadI32());
                    return true;
                case 3:
                    path = ReadList(reader, r => r.ReadString());
                    return true;
                case 4:
                    codec = (CompressionCodec)reader.ReadI32();
                    return true;
                case 5:
                    numValues = reader.ReadI64();
                    return true;
                case 6:
                    uncompressedSize = reader.ReadI64();
                    return true;
                case 7:
                    compressedSize = reader.ReadI64();
                    return true;
                case 9:
                    dataPageOffset = reader.ReadI64();
                    return true;
                case 11:
                    dictionaryPageOffset = reader.ReadI64();
                    return true;
                default:
                    return false;
            }
        });
        return new ColumnChunkMetadata(
            physicalType ?? throw Missing("ColumnMetaData.type"),
            encodings ?? throw Missing("ColumnMetaData.encodings"),
            path ?? throw Missing("ColumnMetaData.path_in_schema"),
            codec ?? throw Missing("ColumnMetaData.codec"),
            numValues ?? throw Missing("ColumnMetaData.num_values"),
            uncompressedSize ?? throw Missing("ColumnMetaData.total_uncompressed_size"),
            compressedSize ?? throw Missing("ColumnMetaData.total_compressed_size"),
            dataPageOffset ?? throw Missing("ColumnMetaData.data_page_offset"),
            dictionaryPageOffset);
    }

    private static DataPageHeader ReadDataPageHeader(ThriftCompactReader reader)
    {
        int? numValues = null;
        PageEncoding? encoding = null, definitionLevelEncoding = null, repetitionLevelEncoding = null;
        reader.ReadStruct(id =>
        {
            switch (id)
            {
                case 1:
                    numValues = reader.ReadI32();
                    return true;
                case 2:
                    encoding = (PageEncoding)reader.ReadI32();
                    return true;
                case 3:
                    definitionLevelEncoding = (PageEncoding)reader.ReadI32();
                    return true;
                case 4:
                    repetitionLevelEncoding = (PageEncoding)reader.ReadI32();
                    return true;
                default:
                    return false;
            }
        });
        return new DataPageHeader(
            numValues ?? throw Missing("DataPageHeader.num_values"),
            encoding ?? throw Missing("DataPageHeader.encoding"),
            definitionLevelEncoding ?? throw Missing("DataPageHeader.definition_level_encoding"),
            repetitionLevelEncoding ?? throw Missing("DataPageHeader.repetition_level_encoding"));
    }

    private static KeyValuePair<string, string> ReadKeyValue(ThriftCompactReader reader)
    {
        string? key = null;
        string value = "";
        reader.ReadStruct(id =>
        {
            switch (id)
            {
                case 1:
                    key = reader.ReadString();
                    return true;
                case 2:
                    value = reader.ReadString();
                    return true;
                default:
                    return false;
            }
        });
        return new KeyValuePair<string, string>(key ?? throw Missing("KeyValue.key"), value);
    }

    private static List<T> ReadList<T>(ThriftCompactReader reader, Func<ThriftCompactReader, T> readElement)
    {
        (_, int count) = reader.ReadListHeader();
        var items = new List<T>(count);
        for (int i = 0; i < count; i++)
            items.Add(readElement(reader));
        return items;
    }

    private static InvalidDataException Missing(string field) => new($"The Parquet metadata lacks the required field {field}.");
}
