using System.Text;
using System.Text.Json;
using ModernBert.Outputs;
using ModernBert.Storage;
using ModernBert.Tasks;
using ModernBert.Tasks.Embed;
using ModernBert.Tests.Common;
using ModernBert.Tests.Outputs;

namespace ModernBert.Tests.Tasks;

/// <summary>
/// Every registered task's result schema, with each of its options that change the schema, written as Parquet and as
/// JSON Lines: the Parquet file reads back to the same rows (to float16 where the column is), and DuckDB reads from it
/// exactly the columns and values that the JSON Lines file holds.
/// </summary>
public sealed class ResultSchemaRoundTripTests : IDisposable
{
    private readonly TemporaryFolder _folder = new();

    /// <summary>Options and sample rows per task; a registered task without samples fails the test until it has some.</summary>
    private static readonly Dictionary<string, (string Options, Func<ResultRow[]> Rows)[]> Samples = new()
    {
        ["embed"] =
        [
            ("{}", () => ResultRowSamples.Embeddings(9, dimensions: 12, seed: 1)),
            // Values that float16 does not hold exactly: both files hold them rounded to float16.
            ("""{"precision":"float16"}""", () => ResultRowSamples.Embeddings(9, dimensions: 12, seed: 2)),
            ("""{"precision":"int8","ranges":[[0,0,0],[1,1,1]]}""", () => ResultRowSamples.Quantized(8, dimensions: 3, minimum: -128, seed: 7)),
            ("""{"precision":"uint8","ranges":[[0,0,0],[1,1,1]]}""", () => ResultRowSamples.Quantized(8, dimensions: 3, minimum: 0, seed: 8)),
            ("""{"precision":"binary"}""", () => ResultRowSamples.Quantized(5, dimensions: 4, minimum: -128, seed: 9)),
            ("""{"precision":"ubinary"}""", () => ResultRowSamples.Quantized(5, dimensions: 4, minimum: 0, seed: 10)),
        ],
        ["classify"] = [("{}", () => ResultRowSamples.Classifications(7, labels: 4, seed: 3))],
        ["sparse"] = [("{}", () => ResultRowSamples.Sparse(6, vocabulary: 300, seed: 4))],
        ["multivector"] =
        [
            ("{}", () => ResultRowSamples.Multivectors(7, dimensions: 5, seed: 5)),
            ("""{"precision":"float32"}""", () => ResultRowSamples.Multivectors(7, dimensions: 5, seed: 6)),
        ],
        ["token-classify"] = [("{}", () =>
        [
            new ModernBert.Tasks.TokenClassify.TokenClassificationRow("a", 0, 0, 5, [new("PER", 0.5f, 0, 4), new("LOC", 0.25f, 6, 11)]),
            new ModernBert.Tasks.TokenClassify.TokenClassificationRow("b", 1, 3, 9, []),
        ])],
    };

    public static TheoryData<string, string> Configurations()
    {
        var data = new TheoryData<string, string>();
        foreach (string task in InferenceTasks.Names)
        {
            foreach ((string options, _) in Samples.GetValueOrDefault(task) ?? [("(no samples)", () => [])])
                data.Add(task, options);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public async Task EachTasksSchemaRoundTripsThroughParquetAndJsonLines(string taskName, string options)
    {
        Assert.True(Samples.ContainsKey(taskName), $"Task '{taskName}' has no sample rows here: add them to {nameof(Samples)}.");
        ConfiguredTask task = InferenceTasks.Configure(taskName, options);
        ResultRow[] rows = Samples[taskName].Single(sample => sample.Options == options).Rows();
        string parquet = await WriteAsync(task, "out.parquet", rows);
        string jsonLines = await WriteAsync(task, "out.jsonl", rows);

        PartFileReader reader = await PartFileReader.OpenAsync(new LocalObjectStore(_folder.Path), "out.parquet", null, task.Schema, Cancellation);
        Assert.Equal(rows.Select(row => Json(task.Schema, row)), (await reader.ReadAllAsync(Cancellation)).Select(row => Json(task.Schema, row)));

        JsonElement duckDb = await DuckDbReader.ReadAsync(parquet);
        JsonElement[] parquetRows = [.. duckDb.GetProperty("rows").EnumerateArray()];
        string[] lines = await File.ReadAllLinesAsync(jsonLines, Cancellation);
        Assert.Equal(rows.Length, lines.Length);
        string[] columns = [.. duckDb.GetProperty("columns").EnumerateArray().Select(column => column.GetProperty("name").GetString()!)];
        for (int i = 0; i < rows.Length; i++)
        {
            JsonElement line = JsonDocument.Parse(lines[i]).RootElement;
            Assert.Equal(columns, line.EnumerateObject().Select(property => property.Name));
            foreach (string column in columns)
                AssertSameValue(parquetRows[i].GetProperty(column), line.GetProperty(column), $"row {i} column {column}");
        }
        Assert.Equal(taskName, duckDb.GetProperty("metadata").GetProperty(ResultFileMetadata.TaskKey).GetString());
    }

    private async Task<string> WriteAsync(ConfiguredTask task, string name, ResultRow[] rows)
    {
        string path = _folder.File(name);
        await using IResultSink sink = ResultSinks.Create(path, task.Schema, new OutputOptions(), ResultFileMetadata.Create("model", task.Name));
        await sink.WriteAsync(rows, Cancellation);
        await sink.CompleteAsync(Cancellation);
        return path;
    }

    private static string Json(ResultSchema schema, ResultRow row)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
            schema.WriteJson(row, json);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Equal strings, integers, float32 values (DuckDB prints them widened to double) and lists of them.</summary>
    private static void AssertSameValue(JsonElement expected, JsonElement actual, string where)
    {
        Assert.True(expected.ValueKind == actual.ValueKind, $"{where}: {expected.ValueKind} in Parquet, {actual.ValueKind} in JSON Lines.");
        switch (expected.ValueKind)
        {
            case JsonValueKind.Array:
                Assert.Equal(expected.GetArrayLength(), actual.GetArrayLength());
                foreach ((JsonElement e, JsonElement a) in expected.EnumerateArray().Zip(actual.EnumerateArray()))
                    AssertSameValue(e, a, where);
                break;
            case JsonValueKind.Number:
                Assert.True((float)expected.GetDouble() == (float)actual.GetDouble(), $"{where}: {expected} in Parquet, {actual} in JSON Lines.");
                break;
            default:
                Assert.Equal(expected.ToString(), actual.ToString());
                break;
        }
    }

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();
}
