using ModernBert.Outputs;
using ModernBert.Storage;
using ModernBert.Tasks.Embed;
using ModernBert.Tasks.Classify;

namespace ModernBert.Tests.Outputs;

public sealed class PartFileWriterTests : TemporaryStoreTests
{
    private const string Key = "out/part-test-00000.parquet";

    [Theory]
    [InlineData(ParquetCompression.Zstd)]
    [InlineData(ParquetCompression.Snappy)]
    [InlineData(ParquetCompression.None)]
    public async Task EachCommitLeavesAParquetFileWithExactlyTheRowsCommittedSoFar(ParquetCompression compression)
    {
        var writer = new PartFileWriter(Store, Key, EmbeddingSchema.Float32, compression);
        var committed = new List<ResultRow>();
        int[] batchSizes = [3, 1, 5, 2];
        for (int k = 0; k < batchSizes.Length; k++)
        {
            EmbeddingRow[] rows = ResultRowSamples.Embeddings(batchSizes[k], dimensions: 8, seed: k);
            if (k == 2)
                rows[1] = rows[1] with { Embedding = [] };

            PartCommit commit = await writer.CommitAsync(rows, Cancellation);

            Assert.Equal(new PartCommit(Key, k, committed.Count, rows.Length, new FileInfo(Store.Describe(Key)).Length), commit);
            committed.AddRange(rows);
            ResultRowSamples.AssertEqual(committed, await ParquetNetReader.ReadAsync(Store.Describe(Key)));
            PartFileReader reader = await PartFileReader.OpenAsync(Store, Key, null, EmbeddingSchema.Float32, Cancellation);
            Assert.Equal(k + 1, reader.RowGroups.Count);
            Assert.Equal(commit.FirstRow, reader.RowGroups[k].FirstRow);
            ResultRowSamples.AssertEqual(committed, await reader.ReadAllAsync(Cancellation));
        }
        Assert.Equal((4, 11L, false), (writer.RowGroupCount, writer.RowCount, writer.IsBroken));
    }

    [Fact]
    public async Task Float16EmbeddingsComeBackRoundedToHalfPrecision()
    {
        var writer = new PartFileWriter(Store, Key, EmbeddingSchema.Float16, ParquetCompression.Zstd);
        EmbeddingRow[] first = ResultRowSamples.Embeddings(4, dimensions: 32, seed: 1);
        EmbeddingRow[] second = ResultRowSamples.Embeddings(3, dimensions: 32, seed: 2);
        await writer.CommitAsync(first, Cancellation);
        await writer.CommitAsync(second, Cancellation);

        PartFileReader reader = await PartFileReader.OpenAsync(Store, Key, null, EmbeddingSchema.Float16, Cancellation);
        Assert.Equal("id string, chunk int32, token_start int32, token_end int32, embedding list<float16>", reader.Schema.ToString());
        ResultRowSamples.AssertEqual([.. first, .. second], await reader.ReadAllAsync(Cancellation), halfPrecision: true);
        Assert.NotEqual(first[0].Embedding, ((EmbeddingRow)(await reader.ReadRowGroupAsync(0, Cancellation))[0]).Embedding);
    }

    [Fact]
    public async Task ClassificationRowsRoundTripWithTheirLabelsAndScores()
    {
        var writer = new PartFileWriter(Store, Key, ClassificationSchema.Instance, ParquetCompression.Snappy);
        ClassificationRow[] first = ResultRowSamples.Classifications(5, labels: 3, seed: 1);
        ClassificationRow[] second = ResultRowSamples.Classifications(2, labels: 3, seed: 2);
        await writer.CommitAsync(first, Cancellation);
        await writer.CommitAsync(second, Cancellation);

        ResultRowSamples.AssertEqual([.. first, .. second], await ParquetNetReader.ReadAsync(Store.Describe(Key)));
        PartFileReader reader = await PartFileReader.OpenAsync(Store, Key, null, ClassificationSchema.Instance, Cancellation);
        Assert.Equal("id string, chunk int32, token_start int32, token_end int32, label string, score float, scores list<float>, logit float", reader.Schema.ToString());
        ResultRowSamples.AssertEqual([.. first, .. second], await reader.ReadAllAsync(Cancellation));
    }

    [Fact]
    public async Task TheFooterNamesTheModelAndTask()
    {
        var writer = new PartFileWriter(Store, Key, EmbeddingSchema.Float32, ParquetCompression.Zstd,
            ResultFileMetadata.Create("answerdotai/ModernBERT-base", "embed"));
        await writer.CommitAsync(ResultRowSamples.Embeddings(2, 4, seed: 1), Cancellation);
        await writer.CommitAsync(ResultRowSamples.Embeddings(2, 4, seed: 2), Cancellation);

        Dictionary<string, string> metadata = await ParquetNetReader.ReadMetadataAsync(Store.Describe(Key));
        Assert.Equal("answerdotai/ModernBERT-base", metadata[ResultFileMetadata.ModelKey]);
        Assert.Equal("embed", metadata[ResultFileMetadata.TaskKey]);
    }

    [Fact]
    public async Task AFailedAppendBreaksTheWriterWhileEarlierCommitsStayReadableUpToTheirLength()
    {
        var store = new TearingObjectStore(Store, tornAppend: 3);
        var writer = new PartFileWriter(store, Key, EmbeddingSchema.Float32, ParquetCompression.Zstd);
        EmbeddingRow[] first = ResultRowSamples.Embeddings(3, 8, seed: 1);
        EmbeddingRow[] second = ResultRowSamples.Embeddings(4, 8, seed: 2);
        await writer.CommitAsync(first, Cancellation);
        PartCommit lastGood = await writer.CommitAsync(second, Cancellation);

        await Assert.ThrowsAsync<IOException>(() => writer.CommitAsync(ResultRowSamples.Embeddings(5, 8, seed: 3), Cancellation));
        Assert.True(writer.IsBroken);
        long tornLength = new FileInfo(Store.Describe(Key)).Length;
        Assert.True(tornLength > lastGood.CommittedLength);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => writer.CommitAsync(ResultRowSamples.Embeddings(1, 8, seed: 4), Cancellation));
        Assert.Contains("new part file", refused.Message);
        Assert.Equal(tornLength, new FileInfo(Store.Describe(Key)).Length);

        PartFileReader prefix = await PartFileReader.OpenAsync(Store, Key, lastGood.CommittedLength, EmbeddingSchema.Float32, Cancellation);
        ResultRowSamples.AssertEqual([.. first, .. second], await prefix.ReadAllAsync(Cancellation));
        await PartFileRewriter.RewriteAsync(Store, Key, lastGood.CommittedLength, EmbeddingSchema.Float32, [new RowRange(0, 7)], "out/repaired.parquet",
            ParquetCompression.Zstd, Cancellation);
        ResultRowSamples.AssertEqual([.. first, .. second], await ParquetNetReader.ReadAsync(Store.Describe("out/repaired.parquet")));
    }

    [Fact]
    public async Task TheFirstCommitRefusesAnObjectThatAlreadyExists()
    {
        await Store.AppendAsync(Key, 0, "someone else's bytes"u8.ToArray(), Cancellation);
        var writer = new PartFileWriter(Store, Key, EmbeddingSchema.Float32, ParquetCompression.Zstd);

        await Assert.ThrowsAsync<AppendConflictException>(() => writer.CommitAsync(ResultRowSamples.Embeddings(1, 4, seed: 1), Cancellation));

        Assert.True(writer.IsBroken);
        Assert.Equal("someone else's bytes", await File.ReadAllTextAsync(Store.Describe(Key), Cancellation));
    }

    [Fact]
    public async Task RowsTheSchemaCannotHoldAreRejectedBeforeAnythingIsWritten()
    {
        var writer = new PartFileWriter(Store, Key, EmbeddingSchema.Float32, ParquetCompression.Zstd);
        ResultRow[] mixed = [.. ResultRowSamples.Embeddings(1, 4, seed: 1), .. ResultRowSamples.Classifications(1, 2, seed: 1)];

        var wrongType = await Assert.ThrowsAsync<ArgumentException>(() => writer.CommitAsync(mixed, Cancellation));
        Assert.Contains("Row 1 is ClassificationRow", wrongType.Message);
        var noEmbedding = await Assert.ThrowsAsync<ArgumentException>(() =>
            writer.CommitAsync([new EmbeddingRow("doc-7", 0, 0, 3, null!)], Cancellation));
        Assert.Contains("'doc-7'", noEmbedding.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => writer.CommitAsync([], Cancellation));

        Assert.False(writer.IsBroken);
        Assert.Null(await Store.GetLengthAsync(Key, Cancellation));
        await writer.CommitAsync(ResultRowSamples.Embeddings(2, 4, seed: 2), Cancellation);
        Assert.Equal(2, (await ParquetNetReader.ReadAsync(Store.Describe(Key))).Count);
    }

    [Fact]
    public async Task AFileThatIsNotAResultFileIsRejectedWithItsLocation()
    {
        await Store.WriteAsync("other.parquet", "PAR1 but not really PAR1"u8.ToArray(), Cancellation);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => PartFileReader.OpenAsync(Store, "other.parquet", null, EmbeddingSchema.Float32, Cancellation));

        Assert.Contains(Store.Describe("other.parquet"), error.Message);
    }

    [Fact]
    public async Task AFileOfAnotherSchemaIsRejectedNamingBothColumnLists()
    {
        await new PartFileWriter(Store, Key, ClassificationSchema.Instance, ParquetCompression.Zstd)
            .CommitAsync(ResultRowSamples.Classifications(2, labels: 3, seed: 1), Cancellation);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => PartFileReader.OpenAsync(Store, Key, null, EmbeddingSchema.Float16, Cancellation));

        Assert.Contains(Store.Describe(Key), error.Message);
        Assert.Contains($"({ClassificationSchema.Instance}) are not those of the run's results ({EmbeddingSchema.Float16})", error.Message);
    }
}
