using ModernBert.Tests.Common;
using System.Text.Json;
using ModernBert.Outputs;
using ModernBert.Tasks.Embed;
using ModernBert.Tasks.Classify;

namespace ModernBert.Tests.Outputs;

/// <summary>Multi-commit part files, dead footers included, read back row by row by DuckDB.</summary>
public sealed class DuckDbReadBackTests : TemporaryStoreTests
{
    private const string Key = "part-duckdb-00000.parquet";

    [Theory]
    [InlineData(EmbeddingPrecision.Float32, "FLOAT[]")]
    [InlineData(EmbeddingPrecision.Float16, "FLOAT[]")]
    public async Task DuckDbReadsEveryCommittedEmbeddingRow(EmbeddingPrecision precision, string embeddingType)
    {
        var writer = new PartFileWriter(Store, Key, EmbeddingSchema.For(precision), ParquetCompression.Zstd,
            ResultFileMetadata.Create("test-model", "embed"));
        var rows = new List<EmbeddingRow>();
        for (int k = 0; k < 3; k++)
        {
            EmbeddingRow[] batch = ResultRowSamples.Embeddings(4 + k, dimensions: 24, seed: k);
            if (k == 1)
                batch[2] = batch[2] with { Embedding = [] };
            await writer.CommitAsync(batch, Cancellation);
            rows.AddRange(batch);
        }

        JsonElement result = await DuckDbReader.ReadAsync(Store.Describe(Key));

        AssertColumns(result, ("id", "VARCHAR"), ("chunk", "INTEGER"), ("token_start", "INTEGER"), ("token_end", "INTEGER"), ("embedding", embeddingType));
        JsonElement[] actual = [.. result.GetProperty("rows").EnumerateArray()];
        Assert.Equal(rows.Count, actual.Length);
        for (int i = 0; i < rows.Count; i++)
        {
            AssertCommonColumns(rows[i], actual[i]);
            float[] expected = precision == EmbeddingPrecision.Float16 ? [.. rows[i].Embedding.Select(ResultRowSamples.AsHalf)] : rows[i].Embedding;
            Assert.Equal(expected, Floats(actual[i].GetProperty("embedding")));
        }
        Assert.Equal("test-model", result.GetProperty("metadata").GetProperty(ResultFileMetadata.ModelKey).GetString());
        Assert.Equal("embed", result.GetProperty("metadata").GetProperty(ResultFileMetadata.TaskKey).GetString());
    }

    [Fact]
    public async Task DuckDbReadsEveryCommittedClassificationRow()
    {
        var writer = new PartFileWriter(Store, Key, ClassificationSchema.Instance, ParquetCompression.Snappy);
        var rows = new List<ClassificationRow>();
        for (int k = 0; k < 3; k++)
        {
            ClassificationRow[] batch = ResultRowSamples.Classifications(3 + k, labels: 5, seed: k);
            await writer.CommitAsync(batch, Cancellation);
            rows.AddRange(batch);
        }

        JsonElement result = await DuckDbReader.ReadAsync(Store.Describe(Key));

        AssertColumns(result, ("id", "VARCHAR"), ("chunk", "INTEGER"), ("token_start", "INTEGER"), ("token_end", "INTEGER"),
            ("label", "VARCHAR"), ("score", "FLOAT"), ("scores", "FLOAT[]"), ("logit", "FLOAT"));
        JsonElement[] actual = [.. result.GetProperty("rows").EnumerateArray()];
        Assert.Equal(rows.Count, actual.Length);
        for (int i = 0; i < rows.Count; i++)
        {
            AssertCommonColumns(rows[i], actual[i]);
            Assert.Equal(rows[i].Label, actual[i].GetProperty("label").GetString());
            Assert.Equal(rows[i].Score, (float)actual[i].GetProperty("score").GetDouble());
            Assert.Equal(rows[i].Scores, Floats(actual[i].GetProperty("scores")));
            Assert.Equal(rows[i].Logit, (float)actual[i].GetProperty("logit").GetDouble());
        }
    }

    private static void AssertColumns(JsonElement result, params (string Name, string Type)[] expected) =>
        Assert.Equal(expected, result.GetProperty("columns").EnumerateArray()
            .Select(c => (c.GetProperty("name").GetString()!, c.GetProperty("type").GetString()!)));

    private static void AssertCommonColumns(ResultRow expected, JsonElement actual)
    {
        Assert.Equal(expected.Id, actual.GetProperty("id").GetString());
        Assert.Equal(expected.Chunk, actual.GetProperty("chunk").GetInt32());
        Assert.Equal(expected.TokenStart, actual.GetProperty("token_start").GetInt32());
        Assert.Equal(expected.TokenEnd, actual.GetProperty("token_end").GetInt32());
    }

    // DuckDB gives each float as the double it widens to, so narrowing back is exact.
    private static float[] Floats(JsonElement array) => [.. array.EnumerateArray().Select(v => (float)v.GetDouble())];
}
