using ModernBert.Outputs;
using ModernBert.Tasks.Embed;
using ModernBert.Tasks.Classify;

namespace ModernBert.Tests.Outputs;

public sealed class RollingPartWriterTests : TemporaryStoreTests
{
    [Fact]
    public async Task ItRollsToANewFileOnceTheCommittedLengthReachesTheTarget()
    {
        var options = new OutputOptions { TargetFileBytes = 2500, MaxRowGroupsPerFile = 100, Compression = ParquetCompression.None };
        var writer = new RollingPartWriter(Store, "run-1/", "w1", EmbeddingSchema.Float32, options);

        var commits = new List<PartCommit>();
        for (int k = 0; k < 6; k++)
            commits.Add(await writer.CommitAsync(ResultRowSamples.Embeddings(2, dimensions: 64, seed: k), Cancellation));

        List<IGrouping<string, PartCommit>> files = [.. commits.GroupBy(c => c.Key)];
        Assert.True(files.Count >= 2);
        Assert.Equal(files.Select((_, i) => $"run-1/part-w1-{i:D5}.parquet"), files.Select(f => f.Key));
        foreach (IGrouping<string, PartCommit> file in files)
        {
            // A file takes commits while below the target; the commit that reaches it is the file's last.
            Assert.All(file.SkipLast(1), c => Assert.True(c.CommittedLength < options.TargetFileBytes));
            if (file != files[^1])
                Assert.True(file.Last().CommittedLength >= options.TargetFileBytes);
            Assert.Equal(file.Last().CommittedLength, new FileInfo(Store.Describe(file.Key)).Length);
        }
        await AssertFilesHoldCommitsAsync(commits);
    }

    [Fact]
    public async Task ItRollsAfterTheMaximumNumberOfRowGroups()
    {
        var options = new OutputOptions { MaxRowGroupsPerFile = 2 };
        var writer = new RollingPartWriter(Store, "", "w2", ClassificationSchema.Instance, options);

        var commits = new List<PartCommit>();
        for (int k = 0; k < 5; k++)
            commits.Add(await writer.CommitAsync(ResultRowSamples.Classifications(3, labels: 2, seed: k), Cancellation));

        Assert.Equal(
            [("part-w2-00000.parquet", 0), ("part-w2-00000.parquet", 1), ("part-w2-00001.parquet", 0), ("part-w2-00001.parquet", 1), ("part-w2-00002.parquet", 0)],
            commits.Select(c => (c.Key, c.RowGroupIndex)));
        Assert.Equal([0L, 3L, 0L, 3L, 0L], commits.Select(c => c.FirstRow));
        Assert.Equal("part-w2-00002.parquet", writer.CurrentKey);
        await AssertFilesHoldCommitsAsync(commits);
    }

    [Fact]
    public async Task AFailedCommitClosesTheFileAndTheNextCommitStartsANewOne()
    {
        var store = new TearingObjectStore(Store, tornAppend: 2);
        var writer = new RollingPartWriter(store, "out/", "w3", EmbeddingSchema.Float16, new OutputOptions());
        EmbeddingRow[] first = ResultRowSamples.Embeddings(3, 16, seed: 1);
        EmbeddingRow[] retried = ResultRowSamples.Embeddings(2, 16, seed: 2);

        PartCommit kept = await writer.CommitAsync(first, Cancellation);
        await Assert.ThrowsAsync<IOException>(() => writer.CommitAsync(retried, Cancellation));
        Assert.Null(writer.CurrentKey);
        PartCommit redone = await writer.CommitAsync(retried, Cancellation);

        Assert.Equal(("out/part-w3-00000.parquet", "out/part-w3-00001.parquet"), (kept.Key, redone.Key));
        Assert.Equal((0, 0L), (redone.RowGroupIndex, redone.FirstRow));
        PartFileReader torn = await PartFileReader.OpenAsync(Store, kept.Key, kept.CommittedLength, EmbeddingSchema.Float16, Cancellation);
        ResultRowSamples.AssertEqual(first, await torn.ReadAllAsync(Cancellation), halfPrecision: true);
        PartFileReader next = await PartFileReader.OpenAsync(Store, redone.Key, null, EmbeddingSchema.Float16, Cancellation);
        ResultRowSamples.AssertEqual(retried, await next.ReadAllAsync(Cancellation), halfPrecision: true);
    }

    [Fact]
    public async Task AFileWhoseFirstCommitFailedIsDeleted()
    {
        // Half of the first append lands before the failure, as when the disk fills mid-write.
        var writer = new RollingPartWriter(new TearingObjectStore(Store, tornAppend: 1), "out/", "w4", EmbeddingSchema.Float16, new OutputOptions());

        await Assert.ThrowsAsync<IOException>(() => writer.CommitAsync(ResultRowSamples.Embeddings(2, 16, seed: 3), Cancellation));

        Assert.Empty(await Store.ListAsync("out/", Cancellation).ToListAsync(Cancellation));
    }

    [Fact]
    public async Task AStartedFileExistsEmptyAndTakesTheNextCommit_OrIsDiscarded()
    {
        var writer = new RollingPartWriter(Store, "out/", "w5", EmbeddingSchema.Float16, new OutputOptions());

        Assert.True(await writer.StartFileAsync(Cancellation));
        Assert.Equal(0, await Store.GetLengthAsync("out/part-w5-00000.parquet", Cancellation));
        Assert.False(await writer.StartFileAsync(Cancellation));
        await writer.DiscardFileAsync("out/part-w5-00000.parquet", Cancellation);
        Assert.Null(await Store.GetLengthAsync("out/part-w5-00000.parquet", Cancellation));

        Assert.True(await writer.StartFileAsync(Cancellation));
        EmbeddingRow[] rows = ResultRowSamples.Embeddings(2, 16, seed: 4);
        PartCommit commit = await writer.CommitAsync(rows, Cancellation);

        Assert.Equal(("out/part-w5-00001.parquet", 0L), (commit.Key, commit.FirstRow));
        PartFileReader file = await PartFileReader.OpenAsync(Store, commit.Key, null, EmbeddingSchema.Float16, Cancellation);
        ResultRowSamples.AssertEqual(rows, await file.ReadAllAsync(Cancellation), halfPrecision: true);
        await writer.DiscardFileAsync(commit.Key, Cancellation);
        Assert.Null(await Store.GetLengthAsync(commit.Key, Cancellation));
        Assert.Equal("out/part-w5-00002.parquet", (await writer.CommitAsync(rows, Cancellation)).Key);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("host 1")]
    public void AWriterIdThatCouldBreakTheFileNameIsRejected(string writerId)
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new RollingPartWriter(Store, "", writerId, ClassificationSchema.Instance, new OutputOptions()));
        Assert.Contains($"'{writerId}'", error.Message);
    }

    /// <summary>Each file, read by Parquet.Net, holds exactly its commits' rows.</summary>
    private async Task AssertFilesHoldCommitsAsync(List<PartCommit> commits)
    {
        foreach (IGrouping<string, PartCommit> file in commits.GroupBy(c => c.Key))
        {
            List<ResultRow> rows = await ParquetNetReader.ReadAsync(Store.Describe(file.Key));
            Assert.Equal(file.Sum(c => c.RowCount), rows.Count);
            Assert.Equal(file.Select(c => c.FirstRow), file.Select(c => (long)file.TakeWhile(p => p != c).Sum(p => p.RowCount)));
        }
    }
}
