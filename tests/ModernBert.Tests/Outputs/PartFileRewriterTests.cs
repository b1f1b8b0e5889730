using ModernBert.Outputs;
using ModernBert.Tasks.Embed;
using ModernBert.Tasks.Classify;

namespace ModernBert.Tests.Outputs;

public sealed class PartFileRewriterTests : TemporaryStoreTests
{
    private const string Source = "part-w-00000.parquet";
    private const string Target = "compacted/part-w-00000.parquet";

    [Fact]
    public async Task ItKeepsExactlyTheRequestedRowRangesInOrder()
    {
        (List<ResultRow> rows, List<PartCommit> commits) = await WriteSourceAsync(ClassificationSchema.Instance, [4, 5, 3],
            (count, seed) => ResultRowSamples.Classifications(count, labels: 3, seed));
        RowRange[] keep = [new(1, 1), new(3, 3), new(10, 2)];

        PartFileRewrite rewrite = await PartFileRewriter.RewriteAsync(Store, Source, commits[^1].CommittedLength, ClassificationSchema.Instance, keep,
            Target, ParquetCompression.Zstd, Cancellation);

        ResultRow[] expected = [.. keep.SelectMany(r => rows.Skip((int)r.FirstRow).Take((int)r.RowCount))];
        ResultRowSamples.AssertEqual(expected, await ParquetNetReader.ReadAsync(Store.Describe(Target)));
        Assert.Equal(new PartFileRewrite(Target, new FileInfo(Store.Describe(Target)).Length, 6, CopiedPrefix: false), rewrite);
        PartFileReader target = await PartFileReader.OpenAsync(Store, Target, null, ClassificationSchema.Instance, Cancellation);
        // Rows 1 and 3 come from the first source row group, 4-5 from the second, 10-11 from the third.
        Assert.Equal([2, 2, 2], target.RowGroups.Select(g => g.RowCount));
        Assert.Equal("classify", target.KeyValueMetadata[ResultFileMetadata.TaskKey]);
    }

    [Fact]
    public async Task Float16ValuesSurviveARewriteUnchanged()
    {
        (List<ResultRow> rows, List<PartCommit> commits) = await WriteSourceAsync(EmbeddingSchema.Float16, [3, 3],
            (count, seed) => ResultRowSamples.Embeddings(count, dimensions: 16, seed));

        await PartFileRewriter.RewriteAsync(Store, Source, commits[^1].CommittedLength, EmbeddingSchema.Float16, [new(2, 3)], Target,
            ParquetCompression.Snappy, Cancellation);

        PartFileReader target = await PartFileReader.OpenAsync(Store, Target, null, EmbeddingSchema.Float16, Cancellation);
        ResultRowSamples.AssertEqual(rows[2..5], await target.ReadAllAsync(Cancellation), halfPrecision: true);
    }

    [Fact]
    public async Task WhenEveryRowOfThePrefixIsKeptItCopiesThePrefixBytesUnchanged()
    {
        // A crashed worker reported two commits but appended a third: the coordinator keeps the reported prefix.
        (List<ResultRow> rows, List<PartCommit> commits) = await WriteSourceAsync(EmbeddingSchema.Float32, [2, 3, 4],
            (count, seed) => ResultRowSamples.Embeddings(count, dimensions: 8, seed));
        PartCommit lastReported = commits[1];

        PartFileRewrite rewrite = await PartFileRewriter.RewriteAsync(Store, Source, lastReported.CommittedLength, EmbeddingSchema.Float32, [new(0, 2), new(2, 3)],
            Target, ParquetCompression.Zstd, Cancellation);

        Assert.Equal(new PartFileRewrite(Target, lastReported.CommittedLength, 5, CopiedPrefix: true), rewrite);
        byte[] source = await File.ReadAllBytesAsync(Store.Describe(Source), Cancellation);
        Assert.Equal(source[..(int)lastReported.CommittedLength], await File.ReadAllBytesAsync(Store.Describe(Target), Cancellation));
        ResultRowSamples.AssertEqual(rows[..5], await ParquetNetReader.ReadAsync(Store.Describe(Target)));
    }

    [Theory]
    [InlineData(new long[] { 3, 2, 0, 1 })]
    [InlineData(new long[] { 0, 3, 2, 2 })]
    [InlineData(new long[] { 8, 2 })]
    [InlineData(new long[] { 1, 0 })]
    [InlineData(new long[] { })]
    public async Task RangesThatAreUnorderedOverlappingOutsideOrEmptyAreRejected(long[] bounds)
    {
        (_, List<PartCommit> commits) = await WriteSourceAsync(ClassificationSchema.Instance, [5, 4], (count, seed) => ResultRowSamples.Classifications(count, 2, seed));
        RowRange[] keep = [.. bounds.Chunk(2).Select(pair => new RowRange(pair[0], pair[1]))];

        await Assert.ThrowsAsync<ArgumentException>(() =>
            PartFileRewriter.RewriteAsync(Store, Source, commits[^1].CommittedLength, ClassificationSchema.Instance, keep, Target,
                ParquetCompression.Zstd, Cancellation));

        Assert.Null(await Store.GetLengthAsync(Target, Cancellation));
    }

    private async Task<(List<ResultRow> Rows, List<PartCommit> Commits)> WriteSourceAsync(ResultSchema schema, int[] batchSizes,
        Func<int, int, ResultRow[]> makeBatch)
    {
        var writer = new PartFileWriter(Store, Source, schema, ParquetCompression.Zstd,
            ResultFileMetadata.Create("test-model", schema == ClassificationSchema.Instance ? "classify" : "embed"));
        var rows = new List<ResultRow>();
        var commits = new List<PartCommit>();
        for (int k = 0; k < batchSizes.Length; k++)
        {
            ResultRow[] batchRows = makeBatch(batchSizes[k], k);
            commits.Add(await writer.CommitAsync(batchRows, Cancellation));
            rows.AddRange(batchRows);
        }
        return (rows, commits);
    }
}
