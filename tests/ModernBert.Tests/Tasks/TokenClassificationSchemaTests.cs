using System.Text.Json;
using ModernBert.Outputs;
using ModernBert.Tasks.TokenClassify;
using ModernBert.Tests.Common;
using ModernBert.Tests.Outputs;

namespace ModernBert.Tests.Tasks;

/// <summary>Entities as list&lt;struct&gt; in the hand-written Parquet writer, read back by DuckDB and by the writer's own reader.</summary>
public sealed class TokenClassificationSchemaTests : TemporaryStoreTests
{
    private const string Key = "part-entities-00000.parquet";

    private static readonly TokenClassificationRow[] Rows =
    [
        new("a", 0, 0, 12, [new Entity("PER", 0.65f, 0, 11), new Entity("ORG", 0.9f, 21, 30)]),
        new("b", 0, 0, 3, []),
        new("long", 1, 10, 24, [new Entity("LOC", 0.5f, 140, 146)]),
        new("ünï", 0, 0, 2, [new Entity("B-MISC", 1f, 0, 3)]),
    ];

    [Fact]
    public void TheSchemaNamesTheEntitiesStruct() =>
        Assert.Equal("id string, chunk int32, token_start int32, token_end int32, entities list<struct<label string, score float, start int32, end int32>>",
            TokenClassificationSchema.Instance.ToString());

    [Fact]
    public async Task DuckDbReadsEveryEntityOfEveryCommittedRow()
    {
        var writer = new PartFileWriter(Store, Key, TokenClassificationSchema.Instance, ParquetCompression.Zstd,
            ResultFileMetadata.Create("test-model", "token-classify"));
        await writer.CommitAsync(Rows[..2], Cancellation);
        await writer.CommitAsync(Rows[2..], Cancellation);

        JsonElement result = await DuckDbReader.ReadAsync(Store.Describe(Key));

        string type = result.GetProperty("columns").EnumerateArray().Last().GetProperty("type").GetString()!;
        Assert.Matches("""^STRUCT\("?label"? VARCHAR, score FLOAT, "?start"? INTEGER, "?end"? INTEGER\)\[\]$""", type);
        JsonElement[] actual = [.. result.GetProperty("rows").EnumerateArray()];
        Assert.Equal(Rows.Length, actual.Length);
        for (int i = 0; i < Rows.Length; i++)
        {
            Assert.Equal(Rows[i].Id, actual[i].GetProperty("id").GetString());
            Entity[] entities = [.. actual[i].GetProperty("entities").EnumerateArray().Select(entity => new Entity(
                entity.GetProperty("label").GetString()!, (float)entity.GetProperty("score").GetDouble(),
                entity.GetProperty("start").GetInt32(), entity.GetProperty("end").GetInt32()))];
            Assert.Equal(Rows[i].Entities, entities);
        }
    }

    [Fact]
    public async Task TheWritersReaderReadsTheRowsBack()
    {
        var writer = new PartFileWriter(Store, Key, TokenClassificationSchema.Instance, ParquetCompression.Snappy);
        await writer.CommitAsync(Rows, Cancellation);

        PartFileReader reader = await PartFileReader.OpenAsync(Store, Key, null, TokenClassificationSchema.Instance, Cancellation);
        Assert.Equal(TokenClassificationSchema.Instance.ToString(), reader.Schema.ToString());
        IReadOnlyList<ResultRow> read = await reader.ReadAllAsync(Cancellation);

        Assert.Equal(Rows.Length, read.Count);
        for (int i = 0; i < Rows.Length; i++)
            Assert.Equal(Rows[i].Entities, ((TokenClassificationRow)read[i]).Entities);
    }
}
