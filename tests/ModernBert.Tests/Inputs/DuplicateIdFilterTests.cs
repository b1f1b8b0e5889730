using ModernBert.Inputs;

namespace ModernBert.Tests.Inputs;

public class DuplicateIdFilterTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LaterDocumentsWithASeenIdBecomeMalformed()
    {
        InputRecord[] records =
        [
            new InputDocument("a", "1", null, "one.jsonl:1"),
            new MalformedInput("missing id field 'id'", "one.jsonl:2"),
            new InputDocument("b", "2", null, "one.jsonl:3"),
            new InputDocument("a", "3", null, "two.parquet:row 1"),
            new InputDocument("A", "4", null, "two.parquet:row 2"),
            new InputDocument("a", null, [1], "three.txt"),
        ];
        var filter = new DuplicateIdFilter();

        List<InputRecord> filtered = await filter.FilterAsync(records.ToAsyncEnumerable(), Cancellation).ToListAsync(Cancellation);

        Assert.Equal(
        [
            records[0],
            records[1],
            records[2],
            new MalformedInput("duplicate id 'a': an earlier document has the same id", "two.parquet:row 1"),
            records[4],
            new MalformedInput("duplicate id 'a': an earlier document has the same id", "three.txt"),
        ], filtered);
        Assert.Equal(3, filter.DistinctIds);
    }

    [Fact]
    public async Task ManyDistinctIdsAreNotReportedAsDuplicates()
    {
        IAsyncEnumerable<InputRecord> documents = Enumerable.Range(0, 200_000)
            .Select(i => (InputRecord)new InputDocument($"doc-{i}", "x", null, $"c.jsonl:{i + 1}"))
            .ToAsyncEnumerable();
        var filter = new DuplicateIdFilter();

        int malformed = await filter.FilterAsync(documents, Cancellation).CountAsync(record => record is MalformedInput, Cancellation);

        Assert.Equal(0, malformed);
        Assert.Equal(200_000, filter.DistinctIds);
    }
}
