using System.Text.Json;
using ModernBert.Outputs;
using ModernBert.Outputs.ParquetFormat;

namespace ModernBert.Tasks.Classify;

/// <summary>Classification rows: id, chunk, token_start, token_end, then label string, score float, scores list&lt;float&gt;, logit float.</summary>
public sealed class ClassificationSchema : ResultSchema
{
    public static ClassificationSchema Instance { get; } = new();

    private ClassificationSchema()
        : base([new ColumnSpec("label", ColumnType.String), new ColumnSpec("score", ColumnType.Float32), new ColumnSpec("scores", ColumnType.Float32List), new ColumnSpec("logit", ColumnType.Float32)])
    {
    }

    public override Type RowType => typeof(ClassificationRow);

    private protected override int EstimateSpecificBytes(ResultRow row) =>
        row is ClassificationRow classification ? 8 + (classification.Label?.Length ?? 0) + 4 * (classification.Scores?.Length ?? 0) : 0;

    private protected override void AddSpecific(ResultRow row, ReadOnlySpan<ColumnValuesBuilder> builders)
    {
        var classification = (ClassificationRow)row;
        builders[0].AddString(classification.Label ?? throw new ArgumentException($"Row '{row.Id}' chunk {row.Chunk} has no label."));
        builders[1].AddFloat32(classification.Score);
        builders[2].AddFloatList(classification.Scores ?? throw new ArgumentException($"Row '{row.Id}' chunk {row.Chunk} has no scores."));
        builders[3].AddFloat32(classification.Logit);
    }

    private protected override ResultRow NextRow(string id, int chunk, int tokenStart, int tokenEnd, ReadOnlySpan<ColumnValuesCursor> cursors) =>
        new ClassificationRow(id, chunk, tokenStart, tokenEnd, cursors[0].NextString(), cursors[1].NextFloat32(), cursors[2].NextFloatList(), cursors[3].NextFloat32());

    private protected override void WriteSpecificJson(ResultRow row, Utf8JsonWriter json)
    {
        var classification = (ClassificationRow)row;
        json.WriteString("label", classification.Label ?? throw new ArgumentException($"Row '{row.Id}' chunk {row.Chunk} has no label."));
        WriteJsonFloat(json, "score", classification.Score, row);
        WriteJsonFloats(json, "scores", classification.Scores, row);
        WriteJsonFloat(json, "logit", classification.Logit, row);
    }
}
