using System.Text;
using ModernBert.Coordinator.Corpus;
using ModernBert.Coordinator.Planning;
using ModernBert.Inputs;
using ModernBert.Tests.Inputs;

namespace ModernBert.Tests.Planning;

public sealed class TolerantCorpusReaderTests : CorpusFolderTests
{
    [Fact]
    public async Task AnUnreadableObjectKeepsItsRecordsReadSoFarAndReadingGoesOn()
    {
        string lines = string.Concat(Enumerable.Range(0, 5000).Select(i => $"{{\"id\":\"t{i}\",\"text\":\"line {i} {Guid.NewGuid()}\"}}\n"));
        byte[] gzip = TempCorpus.Gzip(Encoding.UTF8.GetBytes(lines));
        Corpus.Write("truncated.jsonl.gz", gzip[..(gzip.Length / 2)]);
        Corpus.WriteText("good.jsonl", "{\"id\":\"g1\",\"text\":\"fine\"}\n");

        List<InputRecord> records = await Read("truncated.jsonl.gz", "good.jsonl");

        int failure = records.FindIndex(record => record is MalformedInput);
        Assert.InRange(failure, 1, 4999);
        Assert.Equal(Enumerable.Range(0, failure).Select(i => $"t{i}"), records.Take(failure).Cast<InputDocument>().Select(d => d.Id));
        var malformed = (MalformedInput)records[failure];
        Assert.Equal(Corpus.PathOf("truncated.jsonl.gz"), malformed.Origin);
        Assert.StartsWith("the object cannot be read; the rest of it is skipped: ", malformed.Reason);
        Assert.Contains("corrupt or truncated", malformed.Reason);
        Assert.Equal("g1", Assert.IsType<InputDocument>(Assert.Single(records.Skip(failure + 1))).Id);
    }

    [Theory]
    [InlineData("gone.jsonl", "does not exist")]
    [InlineData("packed.parquet.gz", "compressed Parquet files are not supported")]
    [InlineData("broken.parquet", "is not a readable Parquet file")]
    public async Task AnObjectThatCannotBeOpenedBecomesOneMalformedRecord(string key, string problem)
    {
        if (key != "gone.jsonl")
            Corpus.WriteText(key, "not what the name says");
        Corpus.WriteText("next.txt", "next document");

        List<InputRecord> records = await Read(key, "next.txt");

        Assert.Equal(2, records.Count);
        var malformed = Assert.IsType<MalformedInput>(records[0]);
        Assert.Equal(Corpus.PathOf(key), malformed.Origin);
        Assert.Contains(problem, malformed.Reason);
        Assert.Equal("next.txt", Assert.IsType<InputDocument>(records[1]).Id);
    }

    private Task<List<InputRecord>> Read(params string[] keys) =>
        new TolerantCorpusReader(new CorpusReader(new InputOptions()))
            .ReadAsync([.. keys.Select(key => new CorpusObject(Corpus.Store, key, ""))], Cancellation)
            .ToListAsync(Cancellation).AsTask();
}
