using System.Text.Json;
using ModernBert.Outputs;
using ModernBert.Outputs.ParquetFormat;

namespace ModernBert.Tasks.Embed;

/// <summary>
/// Embedding rows: id, chunk, token_start, token_end, then embedding list&lt;float&gt; (or list&lt;float16&gt; at
/// <see cref="EmbeddingPrecision.Float16"/>); in JSON Lines, embedding is an array of numbers (at float16, the values
/// float16 holds).
/// </summary>
public sealed class EmbeddingSchema : ResultSchema
{
    public static EmbeddingSchema Float32 { get; } = new(EmbeddingPrecision.Float32);

    public static EmbeddingSchema Float16 { get; } = new(EmbeddingPrecision.Float16);

    private readonly bool _float16;

    private EmbeddingSchema(EmbeddingPrecision precision)
        : base([new ColumnSpec("embedding", precision == EmbeddingPrecision.Float16 ? ColumnType.Float16List : ColumnType.Float32List)])
    {
        _float16 = precision == EmbeddingPrecision.Float16;
    }

    public static EmbeddingSchema For(EmbeddingPrecision precision) => precision switch
    {
        EmbeddingPrecision.Float32 => Float32,
        EmbeddingPrecision.Float16 => Float16,
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, null),
    };

    public override Type RowType => typeof(EmbeddingRow);

    private protected override int EstimateSpecificBytes(ResultRow row) => (row as EmbeddingRow)?.Embedding?.Length * 4 ?? 0;

    private protected override void AddSpecific(ResultRow row, ReadOnlySpan<ColumnValuesBuilder> builders)
    {
        var embedding = (EmbeddingRow)row;
        builders[0].AddFloatList(embedding.Embedding ?? throw new ArgumentException($"Row '{row.Id}' chunk {row.Chunk} has no embedding."));
    }

    private protected override ResultRow NextRow(string id, int chunk, int tokenStart, int tokenEnd, ReadOnlySpan<ColumnValuesCursor> cursors) =>
        new EmbeddingRow(id, chunk, tokenStart, tokenEnd, cursors[0].NextFloatList());

    private protected override void WriteSpecificJson(ResultRow row, Utf8JsonWriter json) =>
        WriteJsonFloats(json, "embedding", ((EmbeddingRow)row).Embedding, row, _float16);
}
