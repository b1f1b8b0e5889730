using System.Text.Json;
using ModernBert.Outputs;
using ModernBert.Outputs.ParquetFormat;

namespace ModernBert.Tasks.TokenClassify;

/// <summary>
/// Token classification rows: id, chunk, token_start, token_end, then entities
/// list&lt;struct&lt;label string, score float, start int32, end int32&gt;&gt;.
/// </summary>
public sealed class TokenClassificationSchema : ResultSchema
{
    private const string EntitiesColumn = "entities";

    public static TokenClassificationSchema Instance { get; } = new();

    private TokenClassificationSchema()
        : base([
            new ColumnSpec("label", ColumnType.StringList, EntitiesColumn),
            new ColumnSpec("score", ColumnType.Float32List, EntitiesColumn),
            new ColumnSpec("start", ColumnType.Int32List, EntitiesColumn),
            new ColumnSpec("end", ColumnType.Int32List, EntitiesColumn),
        ])
    {
    }

    public override Type RowType => typeof(TokenClassificationRow);

    private protected override int EstimateSpecificBytes(ResultRow row) =>
        row is TokenClassificationRow { Entities: { } entities } ? entities.Sum(entity => 16 + entity.Label.Length) : 0;

    private protected override void AddSpecific(ResultRow row, ReadOnlySpan<ColumnValuesBuilder> builders)
    {
        Entity[] entities = Entities(row);
        builders[0].AddStringList([.. entities.Select(entity => entity.Label ?? throw new ArgumentException($"Row '{row.Id}' chunk {row.Chunk} has an entity without a label."))]);
        builders[1].AddFloatList([.. entities.Select(entity => entity.Score)]);
        builders[2].AddInt32List([.. entities.Select(entity => entity.Start)]);
        builders[3].AddInt32List([.. entities.Select(entity => entity.End)]);
    }

    private protected override ResultRow NextRow(string id, int chunk, int tokenStart, int tokenEnd, ReadOnlySpan<ColumnValuesCursor> cursors)
    {
        string[] labels = cursors[0].NextStringList();
        float[] scores = cursors[1].NextFloatList();
        int[] starts = cursors[2].NextInt32List();
        int[] ends = cursors[3].NextInt32List();
        if (scores.Length != labels.Length || starts.Length != labels.Length || ends.Length != labels.Length)
            throw new InvalidDataException($"Row '{id}' chunk {chunk}: the entities' fields hold {labels.Length}, {scores.Length}, {starts.Length} and {ends.Length} values.");
        return new TokenClassificationRow(id, chunk, tokenStart, tokenEnd,
            [.. labels.Select((label, i) => new Entity(label, scores[i], starts[i], ends[i]))]);
    }

    private protected override void WriteSpecificJson(ResultRow row, Utf8JsonWriter json)
    {
        json.WriteStartArray(EntitiesColumn);
        foreach (Entity entity in Entities(row))
        {
            json.WriteStartObject();
            json.WriteString("label", entity.Label ?? throw new ArgumentException($"Row '{row.Id}' chunk {row.Chunk} has an entity without a label."));
            WriteJsonFloat(json, "score", entity.Score, row);
            json.WriteNumber("start", entity.Start);
            json.WriteNumber("end", entity.End);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static Entity[] Entities(ResultRow row) =>
        ((TokenClassificationRow)row).Entities ?? throw new ArgumentException($"Row '{row.Id}' chunk {row.Chunk} has no entities.");
}
