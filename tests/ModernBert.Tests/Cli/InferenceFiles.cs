using System.Text.Json;
using System.Text.Json.Nodes;
using ModernBert.Outputs;
using ModernBert.Storage;
using ModernBert.Tests.Common;
using ModernBert.Tests.Outputs;
using ModernBert.Tasks.Embed;
using ModernBert.Tasks.Classify;

namespace ModernBert.Tests.Cli;

/// <summary>Input lines for <c>embed</c>/<c>classify</c> runs, and their result files read back.</summary>
internal static class InferenceFiles
{
    public static JsonObject PreTokenized(string id, int[] inputIds) =>
        new() { ["id"] = id, ["input_ids"] = new JsonArray([.. inputIds.Select(value => (JsonNode)value)]) };

    public static JsonObject Text(string id, string text) => new() { ["id"] = id, ["text"] = text };

    public static string WriteLines(TemporaryFolder folder, string name, IEnumerable<JsonObject> lines)
    {
        string path = folder.File(name);
        File.WriteAllLines(path, lines.Select(line => line.ToJsonString()));
        return path;
    }

    /// <summary>The rows of a result file: Parquet (float32) read with Parquet.Net, or JSON Lines.</summary>
    public static async Task<IReadOnlyList<ResultRow>> ReadAsync(string path) =>
        path.EndsWith(".parquet", StringComparison.Ordinal) ? await ParquetNetReader.ReadAsync(path) : [.. File.ReadLines(path).Select(ParseLine)];

    private static ResultRow ParseLine(string line)
    {
        JsonElement row = JsonDocument.Parse(line).RootElement;
        (string id, int chunk, int start, int end) = (row.GetProperty("id").GetString()!, row.GetProperty("chunk").GetInt32(),
            row.GetProperty("token_start").GetInt32(), row.GetProperty("token_end").GetInt32());
        return row.TryGetProperty("embedding", out JsonElement embedding)
            ? new EmbeddingRow(id, chunk, start, end, Floats(embedding))
            : new ClassificationRow(id, chunk, start, end, row.GetProperty("label").GetString()!, row.GetProperty("score").GetSingle(), Floats(row.GetProperty("scores")),
                row.GetProperty("logit").GetSingle());
    }

    private static float[] Floats(JsonElement array) => [.. array.EnumerateArray().Select(value => value.GetSingle())];
}
