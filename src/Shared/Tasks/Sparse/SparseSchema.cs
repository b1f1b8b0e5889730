using System.Text.Json;
using ModernBert.Outputs;
using ModernBert.Outputs.ParquetFormat;

namespace ModernBert.Tasks.Sparse;

/// <summary>Sparse rows: id, chunk, token_start, token_end, then indices list&lt;int32&gt; (ascending) and values list&lt;float&gt;.</summary>
public sealed class SparseSchema : ResultSchema
{
    public static SparseSchema Instance { get; } = new();

    private SparseSchema()
        : base([new ColumnSpec("indices", ColumnType.Int32List), new ColumnSpec("values", ColumnType.Float32List)])
    {
    }

    public override Type RowType => typeof(SparseRow);

    private protected override int EstimateSpecificBytes(ResultRow row) => 8 * ((row as SparseRow)?.Indices?.Length ?? 0);

    private protected override void AddSpecific(ResultRow row, ReadOnlySpan<ColumnValuesBuilder> builders)
    {
        var sparse = (SparseRow)row;
        if (sparse.Indices is null || sparse.Values is null || sparse.Indices.Length != sparse.Values.Length)
            throw new ArgumentException($"Row '{row.Id}' chunk {row.Chunk} has no indices and values of the same length.");
        builders[0].AddInt32List(sparse.Indices);
        builders[1].AddFloatList(sparse.Values);
    }

    private protected override ResultRow NextRow(string id, int chunk, int tokenStart, int tokenEnd, ReadOnlySpan<ColumnValuesCursor> cursors) =>
        new SparseRow(id, chunk, tokenStart, tokenEnd, cursors[0].NextInt32List(), cursors[1].NextFloatList());

    private protected override void WriteSpecificJson(ResultRow row, Utf8JsonWriter json)
    {
        var sparse = (SparseRow)row;
        json.WriteStartArray("indices");
        foreach (int index in sparse.Indices ?? throw new ArgumentException($"Row '{row.Id}' chunk {row.Chunk} has no indices."))
            json.WriteNumberValue(index);
        json.WriteEndArray();
        WriteJsonFloats(json, "values", sparse.Values, row);
    }
}
