using System.Text.Json;
using ModernBert.Outputs;
using ModernBert.Outputs.ParquetFormat;

namespace ModernBert.Tasks.Embed;

/// <summary>
/// Quantized embedding rows: id, chunk, token_start, token_end, then embedding list&lt;int8&gt; (int8, binary) or
/// list&lt;uint8&gt; (uint8, ubinary); JSON Lines hold the same integers.
/// </summary>
public sealed class QuantizedEmbeddingSchema : ResultSchema
{
    private static readonly QuantizedEmbeddingSchema Signed = new(ColumnType.Int8List);
    private static readonly QuantizedEmbeddingSchema Unsigned = new(ColumnType.UInt8List);
    private readonly int _minimum;

    private QuantizedEmbeddingSchema(ColumnType type)
        : base([new ColumnSpec("embedding", type)])
    {
        _minimum = type == ColumnType.Int8List ? -128 : 0;
    }

    public static QuantizedEmbeddingSchema For(EmbeddingPrecision precision) => precision switch
    {
        EmbeddingPrecision.Int8 or EmbeddingPrecision.Binary => Signed,
        EmbeddingPrecision.UInt8 or EmbeddingPrecision.UBinary => Unsigned,
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, null),
    };

    public override Type RowType => typeof(QuantizedEmbeddingRow);

    private protected override int EstimateSpecificBytes(ResultRow row) => (row as QuantizedEmbeddingRow)?.Embedding?.Length * 4 ?? 0;

    private protected override void AddSpecific(ResultRow row, ReadOnlySpan<ColumnValuesBuilder> builders) =>
        builders[0].AddInt32List(Values(row));

    private protected override ResultRow NextRow(string id, int chunk, int tokenStart, int tokenEnd, ReadOnlySpan<ColumnValuesCursor> cursors) =>
        new QuantizedEmbeddingRow(id, chunk, tokenStart, tokenEnd, cursors[0].NextInt32List());

    private protected override void WriteSpecificJson(ResultRow row, Utf8JsonWriter json)
    {
        json.WriteStartArray("embedding");
        foreach (int value in Values(row))
            json.WriteNumberValue(value);
        json.WriteEndArray();
    }

    private int[] Values(ResultRow row)
    {
        int[] values = ((QuantizedEmbeddingRow)row).Embedding ?? throw new ArgumentException($"Row '{row.Id}' chunk {row.Chunk} has no embedding.");
        if (values.Any(value => value < _minimum || value > _minimum + 255))
            throw new ArgumentException($"Row '{row.Id}' chunk {row.Chunk} has a value outside {_minimum}..{_minimum + 255}.");
        return values;
    }
}
