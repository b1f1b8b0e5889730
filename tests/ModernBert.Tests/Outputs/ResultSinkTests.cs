using ModernBert.Tests.Common;
using System.Text.Json;
using ModernBert.Outputs;
using ModernBert.Tasks.Embed;
using ModernBert.Tasks.Classify;

namespace ModernBert.Tests.Outputs;

public sealed class ResultSinkTests : IDisposable
{
    private readonly TemporaryFolder _directory = new();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task JsonLinesHoldOneSnakeCaseObjectPerEmbeddingRow()
    {
        string path = _directory.File("out.jsonl");
        EmbeddingRow[] rows = ResultRowSamples.Embeddings(5, dimensions: 6, seed: 1);
        await using (IResultSink sink = ResultSinks.Create(path, EmbeddingSchema.Float16, new OutputOptions()))
        {
            await sink.WriteAsync(rows[..2], Cancellation);
            await sink.WriteAsync(rows[2..], Cancellation);
            await sink.CompleteAsync(Cancellation);
        }

        string[] lines = await File.ReadAllLinesAsync(path, Cancellation);
        Assert.Equal(rows.Length, lines.Length);
        for (int i = 0; i < rows.Length; i++)
        {
            JsonElement line = JsonDocument.Parse(lines[i]).RootElement;
            Assert.Equal(["id", "chunk", "token_start", "token_end", "embedding"], line.EnumerateObject().Select(p => p.Name));
            Assert.Equal((rows[i].Id, rows[i].Chunk, rows[i].TokenStart, rows[i].TokenEnd),
                (line.GetProperty("id").GetString(), line.GetProperty("chunk").GetInt32(), line.GetProperty("token_start").GetInt32(), line.GetProperty("token_end").GetInt32()));
            // At float16, the values float16 holds, as the Parquet file would.
            Assert.Equal(rows[i].Embedding.Select(ResultRowSamples.AsHalf), line.GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()));
        }
        Assert.Contains("é\\\"\\\\ü", lines[1]);
    }

    [Fact]
    public async Task JsonLinesHoldLabelScoreAndScoresOfClassificationRows()
    {
        string path = _directory.File("nested/out.ndjson");
        ClassificationRow[] rows = ResultRowSamples.Classifications(3, labels: 4, seed: 2);
        await using (IResultSink sink = ResultSinks.Create(path, ClassificationSchema.Instance, new OutputOptions()))
        {
            await sink.WriteAsync(rows, Cancellation);
            await sink.CompleteAsync(Cancellation);
        }

        string[] lines = await File.ReadAllLinesAsync(path, Cancellation);
        Assert.Equal(rows.Length, lines.Length);
        for (int i = 0; i < rows.Length; i++)
        {
            JsonElement line = JsonDocument.Parse(lines[i]).RootElement;
            Assert.Equal(["id", "chunk", "token_start", "token_end", "label", "score", "scores", "logit"], line.EnumerateObject().Select(p => p.Name));
            Assert.Equal((rows[i].Label, rows[i].Score), (line.GetProperty("label").GetString(), line.GetProperty("score").GetSingle()));
            Assert.Equal(rows[i].Scores, line.GetProperty("scores").EnumerateArray().Select(v => v.GetSingle()));
        }
    }

    [Fact]
    public async Task JsonLinesRejectValuesJsonCannotHoldAndLeaveNoFile()
    {
        string path = _directory.File("out.jsonl");
        await using (IResultSink sink = ResultSinks.Create(path, EmbeddingSchema.Float32, new OutputOptions()))
        {
            var error = await Assert.ThrowsAsync<ArgumentException>(() =>
                sink.WriteAsync([new EmbeddingRow("doc-nan", 2, 0, 4, [1f, float.NaN])], Cancellation));
            Assert.Contains("'doc-nan' chunk 2", error.Message);
        }

        Assert.Empty(Directory.EnumerateFileSystemEntries(_directory.Path));
    }

    [Fact]
    public async Task TheParquetSinkWritesOneFileWithASingleFooter()
    {
        string path = _directory.File("out.parquet");
        EmbeddingRow[] rows = ResultRowSamples.Embeddings(40, dimensions: 12, seed: 3);
        await using (IResultSink sink = ResultSinks.Create(path, EmbeddingSchema.Float32,
            new OutputOptions { Compression = ParquetCompression.Snappy }, ResultFileMetadata.Create("m", "embed")))
        {
            foreach (EmbeddingRow[] batch in rows.Chunk(7))
                await sink.WriteAsync(batch, Cancellation);
            Assert.False(File.Exists(path));
            await sink.CompleteAsync(Cancellation);
        }

        ResultRowSamples.AssertEqual(rows, await ParquetNetReader.ReadAsync(path));
        Assert.Equal("m", (await ParquetNetReader.ReadMetadataAsync(path))[ResultFileMetadata.ModelKey]);
        Assert.Equal([path], Directory.EnumerateFiles(_directory.Path));
    }

    [Fact]
    public async Task DisposingASinkBeforeCompletingLeavesNoFile()
    {
        string path = _directory.File("out.parquet");
        await using (IResultSink sink = ResultSinks.Create(path, ClassificationSchema.Instance, new OutputOptions()))
            await sink.WriteAsync(ResultRowSamples.Classifications(3, 2, seed: 1), Cancellation);

        Assert.Empty(Directory.EnumerateFileSystemEntries(_directory.Path));
    }

    [Fact]
    public void AnUnknownExtensionIsRejectedWithThePath()
    {
        string path = _directory.File("out.csv");

        var error = Assert.Throws<ArgumentException>(() => ResultSinks.Create(path, ClassificationSchema.Instance, new OutputOptions()));

        Assert.Contains(path, error.Message);
    }

    public void Dispose() => _directory.Dispose();
}
