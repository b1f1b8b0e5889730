using System.Text.Json;
using ModernBert.Outputs;
using ModernBert.Outputs.ParquetFormat;
using ModernBert.Tasks.Embed;

namespace ModernBert.Tasks.Multivector;

/// <summary>
/// Multi-vector rows: id, chunk, token_start, token_end, then embeddings list&lt;list&lt;float16&gt;&gt; (or
/// list&lt;list&lt;float&gt;&gt;), one inner list per kept token, and token_count int32; JSON Lines hold numbers (at
/// float16, the values float16 holds).
/// </summary>
public sealed class MultivectorSchema : ResultSchema
{
    public static MultivectorSchema Float32 { get; } = new(EmbeddingPrecision.Float32);

    public static MultivectorSchema Float16 { get; } = new(EmbeddingPrecision.Float16);

    private readonly bool _float16;

    private MultivectorSchema(EmbeddingPrecision precision)
        : base([new ColumnSpec("embeddings", precision == EmbeddingPrecision.Float16 ? ColumnType.Float16ListList : ColumnType.Float32ListList),
            new ColumnSpec("token_count", ColumnType.Int32)])
    {
        _float16 = precision == EmbeddingPrecision.Float16;
    }

    public static MultivectorSchema For(EmbeddingPrecision precision) => precision switch
    {
        EmbeddingPrecision.Float32 => Float32,
        EmbeddingPrecision.Float16 => Float16,
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, $"Multi-vector outputs are float32 or float16, not {precision}."),
    };

    public override Type RowType => typeof(MultivectorRow);

    private protected override int EstimateSpecificBytes(ResultRow row) =>
        (row as MultivectorRow)?.Embeddings?.Sum(vector => 4 * vector.Length) ?? 0;

    private protected override void AddSpecific(ResultRow row, ReadOnlySpan<ColumnValuesBuilder> builders)
    {
        var multivector = (MultivectorRow)row;
        float[][] embeddings = multivector.Embeddings ?? throw new ArgumentException($"Row '{row.Id}' chunk {row.Chunk} has no embeddings.");
        builders[0].AddFloatListList(embeddings);
        builders[1].AddInt32(embeddings.Length);
    }

    private protected override ResultRow NextRow(string id, int chunk, int tokenStart, int tokenEnd, ReadOnlySpan<ColumnValuesCursor> cursors)
    {
        float[][] embeddings = cursors[0].NextFloatListList();
        int count = cursors[1].NextInt32();
        if (count != embeddings.Length)
            throw new InvalidDataException($"Row '{id}' chunk {chunk} has token_count {count} but {embeddings.Length} embeddings.");
        return new MultivectorRow(id, chunk, tokenStart, tokenEnd, embeddings);
    }

    private protected override void WriteSpecificJson(ResultRow row, Utf8JsonWriter json)
    {
        var multivector = (MultivectorRow)row;
        float[][] embeddings = multivector.Embeddings ?? throw new ArgumentException($"Row '{row.Id}' chunk {row.Chunk} has no embeddings.");
        json.WriteStartArray("embeddings");
        foreach (float[] vector in embeddings)
            WriteJsonFloatArray(json, vector, row, "embeddings", _float16);
        json.WriteEndArray();
        json.WriteNumber("token_count", embeddings.Length);
    }
}
