using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using ModernBert.Storage;
using Parquet;
using Parquet.Meta;
using Parquet.Schema;

namespace ModernBert.Inputs;

/// <summary>
/// Streams the rows of one Parquet object as documents, one row group at a time, fetching only the column chunks it
/// needs through <see cref="IObjectStore.ReadRangeAsync"/> (no download of the whole file). Columns: the id (string,
/// int32 or int64), and the text (string) and/or the input ids (list of int32 or int64); at least one of the last two
/// must exist; a string column of second texts of pairs is read when present. Rows are numbered from 1 in the origin "location:row n". A row with a null id, or neither text nor
/// input ids, becomes a <see cref="MalformedInput"/>. A missing or mistyped column, or an unreadable file, is an
/// <see cref="InvalidDataException"/> naming the file.
/// </summary>
public sealed class ParquetDocumentReader
{
    // Files from writers that leave string columns unannotated still read as text.
    private static readonly ParquetOptions ReaderOptions = new() { TreatByteArrayAsString = true };

    private readonly InputOptions _options;

    public ParquetDocumentReader(InputOptions options)
    {
        _options = options;
    }

    public async IAsyncEnumerable<InputRecord> ReadAsync(IObjectStore store, string key,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string location = store.Describe(key);
        long length = await store.GetLengthAsync(key, cancellationToken) ?? throw new ObjectNotFoundException(location);
        await using var stream = new ObjectRangeStream(store, key, length);
        await using ParquetReader reader = await OpenAsync(stream, location, cancellationToken);
        ParquetColumns columns = FindColumns(reader.Schema, location);

        long rowNumber = 0;
        for (int group = 0; group < reader.RowGroupCount; group++)
        {
            RowGroupColumns values = await ReadRowGroupAsync(reader.OpenRowGroupReader(group), columns, stream, location, group, cancellationToken);
            for (int row = 0; row < values.Ids.Length; row++)
                yield return ToRecord(values, row, $"{location}:row {++rowNumber}");
        }
    }

    private static async Task<ParquetReader> OpenAsync(ObjectRangeStream stream, string location, CancellationToken cancellationToken)
    {
        try
        {
            return await ParquetReader.CreateAsync(stream, ReaderOptions, leaveStreamOpen: true, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw Unreadable(stream, $"{location} is not a readable Parquet file: {e.Message}", e);
        }
    }

    private sealed record ParquetColumns(DataField Id, DataField? Text, ListField? InputIds, DataField? TextPair);

    private sealed record RowGroupColumns(string?[] Ids, string?[]? Texts, ListRow[]? InputIds, string?[]? TextPairs);

    /// <summary>One row's list of input ids: null when the list is null, or the reason it is invalid.</summary>
    private readonly record struct ListRow(int[]? Ids, string? Problem);

    private ParquetColumns FindColumns(ParquetSchema schema, string location)
    {
        Field? id = Find(_options.IdField);
        Field? text = Find(_options.TextField);
        Field? inputIds = Find(_options.InputIdsField);
        Field? textPair = Find(_options.TextPairField);

        var missing = new List<string>();
        if (id is null)
            missing.Add($"the id column '{_options.IdField}'");
        if (text is null && inputIds is null)
            missing.Add($"a text column '{_options.TextField}' or an input ids column '{_options.InputIdsField}'");
        if (missing.Count > 0)
        {
            string present = string.Join(", ", schema.Fields.Select(field => $"{field.Name} ({Describe(field)})"));
            throw new InvalidDataException($"{location} lacks {string.Join(" and ", missing)}; its columns are: {present}.");
        }

        if (id is not DataField { MaxRepetitionLevel: 0 } idColumn || !(IsString(idColumn) || IsInteger(idColumn)))
            throw new InvalidDataException($"{location}: the id column '{_options.IdField}' is {Describe(id!)}; expected a string, int32 or int64 column.");
        DataField? textColumn = StringColumn(text, "text", _options.TextField, location);
        DataField? textPairColumn = StringColumn(textPair, "text pair", _options.TextPairField, location);
        ListField? inputIdsColumn = null;
        if (inputIds is not null)
        {
            if (inputIds is not ListField { Item: DataField { MaxRepetitionLevel: 1 } item } list || !IsInteger(item))
                throw new InvalidDataException($"{location}: the input ids column '{_options.InputIdsField}' is {Describe(inputIds)}; expected a list of int32 or int64.");
            inputIdsColumn = list;
        }
        return new ParquetColumns(idColumn, textColumn, inputIdsColumn, textPairColumn);

        Field? Find(string name) => schema.Fields.FirstOrDefault(field => field.Name == name);
    }

    private static DataField? StringColumn(Field? field, string role, string name, string location) => field switch
    {
        null => null,
        DataField { MaxRepetitionLevel: 0 } column when IsString(column) => column,
        _ => throw new InvalidDataException($"{location}: the {role} column '{name}' is {Describe(field)}; expected a string column."),
    };

    private static string Describe(Field field) => field switch
    {
        DataField { MaxRepetitionLevel: > 0 } data => $"a repeated {TypeName(data)}",
        DataField data => TypeName(data),
        ListField { Item: DataField item } => $"a list of {TypeName(item)}",
        _ => field.SchemaType.ToString().ToLowerInvariant(),
    };

    // Parquet.Net gives string columns read from a file the type ReadOnlyMemory<char>.
    private static bool IsString(DataField field) => field.ClrType == typeof(string) || field.ClrType == typeof(ReadOnlyMemory<char>);

    private static bool IsInteger(DataField field) => field.ClrType == typeof(int) || field.ClrType == typeof(long);

    private static string TypeName(DataField field) =>
        IsString(field) ? "String" : field.ClrType == typeof(ReadOnlyMemory<byte>) ? "Binary" : field.ClrType.Name;

    private async Task<RowGroupColumns> ReadRowGroupAsync(ParquetRowGroupReader rowGroup, ParquetColumns columns,
        ObjectRangeStream stream, string location, int group, CancellationToken cancellationToken)
    {
        try
        {
            int rows = checked((int)rowGroup.RowCount);
            string?[] ids = await ReadIdsAsync(rowGroup, columns.Id, rows, stream, cancellationToken);
            string?[]? texts = await ReadStringsAsync(rowGroup, columns.Text, rows, stream, cancellationToken);
            string?[]? textPairs = await ReadStringsAsync(rowGroup, columns.TextPair, rows, stream, cancellationToken);
            ListRow[]? inputIds = columns.InputIds is null ? null : await ReadInputIdsAsync(rowGroup, columns.InputIds, rows, stream, cancellationToken);
            return new RowGroupColumns(ids, texts, inputIds, textPairs);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw Unreadable(stream, $"{location}: cannot read row group {group}: {e.Message}", e);
        }
    }

    /// <summary>
    /// The file as unreadable, unless the store failed to give its bytes (an outage that outlasted the store's retries):
    /// that failure is rethrown as it is, to end the run resumably rather than skip the file as malformed.
    /// </summary>
    private static InvalidDataException Unreadable(ObjectRangeStream stream, string message, Exception error)
    {
        stream.StoreFailure?.Throw();
        return new InvalidDataException(message, error);
    }

    private static async Task<string?[]?> ReadStringsAsync(ParquetRowGroupReader rowGroup, DataField? field, int rows,
        ObjectRangeStream stream, CancellationToken cancellationToken)
    {
        if (field is null)
            return null;
        var values = new string?[rows];
        await PrefetchAsync(stream, rowGroup, field, cancellationToken);
        await rowGroup.ReadAsync(field, values.AsMemory(), null, cancellationToken);
        return values;
    }

    private static async Task<string?[]> ReadIdsAsync(ParquetRowGroupReader rowGroup, DataField field, int rows,
        ObjectRangeStream stream, CancellationToken cancellationToken)
    {
        await PrefetchAsync(stream, rowGroup, field, cancellationToken);
        if (IsString(field))
        {
            var ids = new string?[rows];
            await rowGroup.ReadAsync(field, ids.AsMemory(), null, cancellationToken);
            return ids;
        }
        return field.ClrType == typeof(int)
            ? await ReadIntegerIdsAsync<int>(rowGroup, field, rows, cancellationToken)
            : await ReadIntegerIdsAsync<long>(rowGroup, field, rows, cancellationToken);
    }

    private static async Task<string?[]> ReadIntegerIdsAsync<T>(ParquetRowGroupReader rowGroup, DataField field, int rows,
        CancellationToken cancellationToken) where T : struct, IFormattable
    {
        var ids = new string?[rows];
        if (field.IsNullable)
        {
            var values = new T?[rows];
            await rowGroup.ReadAsync(field, values.AsMemory(), null, cancellationToken);
            for (int row = 0; row < rows; row++)
                ids[row] = values[row]?.ToString(null, CultureInfo.InvariantCulture);
        }
        else
        {
            var values = new T[rows];
            await rowGroup.ReadAsync(field, values.AsMemory(), null, cancellationToken);
            for (int row = 0; row < rows; row++)
                ids[row] = values[row].ToString(null, CultureInfo.InvariantCulture);
        }
        return ids;
    }

    private async Task<ListRow[]> ReadInputIdsAsync(ParquetRowGroupReader rowGroup, ListField list, int rows,
        ObjectRangeStream stream, CancellationToken cancellationToken)
    {
        var item = (DataField)list.Item;
        await PrefetchAsync(stream, rowGroup, item, cancellationToken);
        int levels = checked((int)ChunkMetadata(rowGroup, item).NumValues);
        var definitionLevels = new int[levels];
        var repetitionLevels = new int[levels];
        if (item.ClrType == typeof(int))
        {
            var values = new int[levels];
            await rowGroup.ReadRawAsync(item, values.AsMemory(), definitionLevels, repetitionLevels, cancellationToken);
            return AssembleLists(list, item, values, definitionLevels, repetitionLevels, rows);
        }
        else
        {
            var values = new long[levels];
            await rowGroup.ReadRawAsync(item, values.AsMemory(), definitionLevels, repetitionLevels, cancellationToken);
            return AssembleLists(list, item, values, definitionLevels, repetitionLevels, rows);
        }
    }

    /// <summary>
    /// Rebuilds each row's list from the leaf column's levels: a repetition level of 0 starts a row; the definition
    /// level says whether the list is null, empty, holds a null element or a value (values hold only the latter).
    /// </summary>
    private ListRow[] AssembleLists<T>(ListField list, DataField item, T[] values, int[] definitionLevels, int[] repetitionLevels, int rows)
        where T : struct, IBinaryInteger<T>
    {
        // Elements exist from the list's own definition level; one below is an empty list, lower still a null list.
        int elementLevel = list.MaxDefinitionLevel;
        var result = new ListRow[rows];
        var current = new List<int>();
        int row = -1;
        int value = 0;
        bool isNull = false;
        string? problem = null;
        for (int level = 0; level < definitionLevels.Length; level++)
        {
            int definition = definitionLevels[level];
            if (repetitionLevels[level] == 0)
            {
                if (row >= 0)
                    result[row] = Complete();
                if (++row == rows)
                    throw new InvalidDataException($"the column '{_options.InputIdsField}' holds more lists than the {rows} rows");
                current.Clear();
                problem = null;
                isNull = definition < elementLevel - 1;
            }
            if (definition < elementLevel)
                continue;
            if (definition < item.MaxDefinitionLevel)
            {
                problem ??= $"{_options.InputIdsField}[{current.Count}] is null";
                current.Add(0);
                continue;
            }
            long id = long.CreateTruncating(values[value++]);
            if (id is < 0 or > int.MaxValue)
                problem ??= $"{_options.InputIdsField}[{current.Count}] is {id}, outside 0..{int.MaxValue}";
            current.Add((int)id);
        }
        if (row >= 0)
            result[row] = Complete();
        if (row + 1 != rows)
            throw new InvalidDataException($"the column '{_options.InputIdsField}' holds {row + 1} lists for {rows} rows");
        return result;

        ListRow Complete() => isNull ? new ListRow(null, null) : problem is null ? new ListRow([.. current], null) : new ListRow(null, problem);
    }

    private InputRecord ToRecord(RowGroupColumns values, int row, string origin)
    {
        string? id = values.Ids[row];
        if (id is null)
            return new MalformedInput($"the id column '{_options.IdField}' is null", origin);
        if (id.Length == 0)
            return new MalformedInput($"the id column '{_options.IdField}' is empty", origin);
        ListRow inputIds = values.InputIds?[row] ?? default;
        if (inputIds.Problem is not null)
            return new MalformedInput(inputIds.Problem, origin);
        string? text = values.Texts?[row], textPair = values.TextPairs?[row];
        // A second text alone is a pair's record missing its first text, which the pair's task reports as such.
        if (text is null && inputIds.Ids is null && textPair is null)
            return new MalformedInput($"neither the text column '{_options.TextField}' nor the input ids column '{_options.InputIdsField}' has a value", origin);
        return new InputDocument(id, text, inputIds.Ids, origin) { TextPair = textPair };
    }

    private static ColumnMetaData ChunkMetadata(ParquetRowGroupReader rowGroup, DataField field) =>
        rowGroup.GetMetadata(field)?.MetaData ?? throw new InvalidDataException($"the row group has no column chunk for '{field.Path}'");

    /// <summary>Fetches the column's chunk in one range read, so the reader's many small reads are served from memory.</summary>
    private static Task PrefetchAsync(ObjectRangeStream stream, ParquetRowGroupReader rowGroup, DataField field, CancellationToken cancellationToken)
    {
        ColumnMetaData metadata = ChunkMetadata(rowGroup, field);
        long start = new[] { metadata.DictionaryPageOffset ?? 0, metadata.DataPageOffset, metadata.IndexPageOffset ?? 0 }.Where(offset => offset > 0).Min();
        return stream.PrefetchAsync(start, metadata.TotalCompressedSize, cancellationToken);
    }
}
