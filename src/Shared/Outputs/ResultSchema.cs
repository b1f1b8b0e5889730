using System.Text;
using System.Text.Json;
using ModernBert.Outputs.ParquetFormat;

namespace ModernBert.Outputs;

/// <summary>
/// The columns of a task's result files and how its rows map to them, in Parquet and in JSON Lines. Every schema
/// starts with id string, chunk int32, token_start int32, token_end int32; a task's schema (in its folder under
/// Tasks/) adds its own columns. All columns are required.
/// </summary>
public abstract class ResultSchema
{
    private static readonly ColumnSpec[] RowColumns =
    [
        new("id", ColumnType.String),
        new("chunk", ColumnType.Int32),
        new("token_start", ColumnType.Int32),
        new("token_end", ColumnType.Int32),
    ];

    private const int MaxInitialBufferBytes = 64 << 20;

    private protected ResultSchema(IEnumerable<ColumnSpec> specificColumns)
    {
        Columns = [.. RowColumns, .. specificColumns];
    }

    /// <summary>The row type this schema holds.</summary>
    public abstract Type RowType { get; }

    internal IReadOnlyList<ColumnSpec> Columns { get; }

    /// <summary>The columns, e.g. "id string, chunk int32, ..., embedding list&lt;float16&gt;".</summary>
    public override string ToString() => ColumnSpec.Describe(Columns);

    /// <summary>Splits rows into columns; throws <see cref="ArgumentException"/> naming the first row this schema cannot hold.</summary>
    internal ColumnValues[] Shred(IReadOnlyList<ResultRow> rows)
    {
        long listBytes = Math.Min((long)rows.Count * EstimateSpecificBytes(rows[0]), MaxInitialBufferBytes);
        ColumnValuesBuilder[] builders = [.. Columns.Select(c => new ColumnValuesBuilder(c, c.IsList ? (int)listBytes : rows.Count * 16))];
        for (int i = 0; i < rows.Count; i++)
        {
            ResultRow row = rows[i];
            CheckType(row, i);
            if (row.Id is null)
                throw new ArgumentException($"Row {i} (chunk {row.Chunk}) has no id.", nameof(rows));
            try
            {
                builders[0].AddString(row.Id);
            }
            catch (EncoderFallbackException e)
            {
                throw new ArgumentException($"Row {i} has an id that is not valid Unicode: {e.Message}", nameof(rows), e);
            }
            builders[1].AddInt32(row.Chunk);
            builders[2].AddInt32(row.TokenStart);
            builders[3].AddInt32(row.TokenEnd);
            AddSpecific(row, builders.AsSpan(RowColumns.Length));
        }
        return [.. builders.Select(b => b.Build())];
    }

    /// <summary>Joins columns back into rows.</summary>
    internal ResultRow[] Assemble(IReadOnlyList<ColumnValues> columns)
    {
        ColumnValuesCursor[] cursors = [.. columns.Select(c => new ColumnValuesCursor(c))];
        var rows = new ResultRow[columns[0].RowCount];
        for (int i = 0; i < rows.Length; i++)
            rows[i] = NextRow(cursors[0].NextString(), cursors[1].NextInt32(), cursors[2].NextInt32(), cursors[3].NextInt32(), cursors.AsSpan(RowColumns.Length));
        return rows;
    }

    /// <summary>
    /// Writes the row as one JSON object with the columns' names as keys, in their order. Floats are written in their
    /// shortest round-trip form, those of a float16 column as float16 holds them (the values its Parquet file reads
    /// back); NaN and infinities are rejected with <see cref="ArgumentException"/>.
    /// </summary>
    internal void WriteJson(ResultRow row, Utf8JsonWriter json)
    {
        CheckType(row, null);
        json.WriteStartObject();
        json.WriteString("id", row.Id ?? throw new ArgumentException($"A row (chunk {row.Chunk}) has no id."));
        json.WriteNumber("chunk", row.Chunk);
        json.WriteNumber("token_start", row.TokenStart);
        json.WriteNumber("token_end", row.TokenEnd);
        WriteSpecificJson(row, json);
        json.WriteEndObject();
    }

    /// <summary>A rough size of the row in memory, to size row groups and buffers.</summary>
    internal long EstimateBytes(ResultRow row) => 16 + (row.Id?.Length ?? 0) + EstimateSpecificBytes(row);

    /// <summary>A rough PLAIN size of the task's own columns of one row.</summary>
    private protected abstract int EstimateSpecificBytes(ResultRow row);

    private protected abstract void AddSpecific(ResultRow row, ReadOnlySpan<ColumnValuesBuilder> builders);

    private protected abstract ResultRow NextRow(string id, int chunk, int tokenStart, int tokenEnd, ReadOnlySpan<ColumnValuesCursor> cursors);

    private protected abstract void WriteSpecificJson(ResultRow row, Utf8JsonWriter json);

    private protected static void WriteJsonFloat(Utf8JsonWriter json, string name, float value, ResultRow row)
    {
        json.WritePropertyName(name);
        WriteJsonFloatValue(json, name, value, row, asFloat16: false);
    }

    private protected static void WriteJsonFloats(Utf8JsonWriter json, string name, float[]? values, ResultRow row, bool asFloat16 = false)
    {
        json.WriteStartArray(name);
        foreach (float value in values ?? throw new ArgumentException($"Row '{row.Id}' chunk {row.Chunk} has no {name}."))
            WriteJsonFloatValue(json, name, value, row, asFloat16);
        json.WriteEndArray();
    }

    /// <summary>An array of floats without a name, as an element of an enclosing array.</summary>
    private protected static void WriteJsonFloatArray(Utf8JsonWriter json, float[] values, ResultRow row, string name, bool asFloat16)
    {
        json.WriteStartArray();
        foreach (float value in values)
            WriteJsonFloatValue(json, name, value, row, asFloat16);
        json.WriteEndArray();
    }

    private static void WriteJsonFloatValue(Utf8JsonWriter json, string name, float value, ResultRow row, bool asFloat16)
    {
        float written = asFloat16 ? (float)(Half)value : value;
        if (!float.IsFinite(written))
            throw new ArgumentException($"Row '{row.Id}' chunk {row.Chunk} has {value} in {name}, which {(float.IsFinite(value)
                ? "float16 cannot hold" : "JSON cannot represent")}.");
        json.WriteNumberValue(written);
    }

    private void CheckType(ResultRow? row, int? index)
    {
        if (row is null || row.GetType() != RowType)
            throw new ArgumentException($"{(index is int i ? $"Row {i}" : $"Row '{row?.Id}'")} is {row?.GetType().Name ?? "null"}, but this file holds {RowType.Name}s.", "rows");
    }
}
