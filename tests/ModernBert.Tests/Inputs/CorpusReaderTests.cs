using ModernBert.Inputs;
using ModernBert.Storage;

namespace ModernBert.Tests.Inputs;

public class CorpusReaderTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StreamsObjectsInTheGivenOrderAndRecordsInFileOrderEveryTime()
    {
        using var corpus = new TempCorpus();
        using var other = new TempCorpus();
        corpus.WriteText("in/b.jsonl", "{\"id\":\"b1\",\"text\":\"x\"}\n{\"id\":\"b2\",\"text\":\"y\"}\nnot json\n{\"id\":\"b3\",\"text\":\"z\"}\n");
        corpus.Write("in/a.jsonl.zst", TempCorpus.Zstd("{\"id\":\"a1\",\"input_ids\":[1]}\n"u8.ToArray()));
        corpus.WriteText("in/notes/c.txt", "plain document");
        other.Write("d.ndjson.gz", TempCorpus.Gzip("{\"id\":\"d1\",\"text\":\"w\"}\n"u8.ToArray()));
        CorpusObject[] objects =
        [
            new(corpus.Store, "in/b.jsonl", "in"),
            new(other.Store, "d.ndjson.gz", ""),
            new(corpus.Store, "in/notes/c.txt", "in"),
            new(corpus.Store, "in/a.jsonl.zst", "in"),
        ];
        var reader = new CorpusReader(new InputOptions());

        List<InputRecord> first = await reader.ReadAsync(objects, Cancellation).ToListAsync(Cancellation);
        List<InputRecord> second = await reader.ReadAsync(objects, Cancellation).ToListAsync(Cancellation);

        Assert.Equal(
        [
            $"b1@{corpus.PathOf("in/b.jsonl")}:1",
            $"b2@{corpus.PathOf("in/b.jsonl")}:2",
            $"!@{corpus.PathOf("in/b.jsonl")}:3",
            $"b3@{corpus.PathOf("in/b.jsonl")}:4",
            $"d1@{other.PathOf("d.ndjson.gz")}:1",
            $"notes/c.txt@{corpus.PathOf("in/notes/c.txt")}",
            $"a1@{corpus.PathOf("in/a.jsonl.zst")}:1",
        ], first.Select(Describe));
        Assert.Equal(first.Select(Content), second.Select(Content));
    }

    [Fact]
    public async Task AMissingObjectIsAnErrorNamingIt()
    {
        using var corpus = new TempCorpus();
        var reader = new CorpusReader(new InputOptions());

        var error = await Assert.ThrowsAsync<ObjectNotFoundException>(
            () => reader.ReadAsync([new CorpusObject(corpus.Store, "gone.jsonl", "")], Cancellation).ToListAsync(Cancellation).AsTask());

        Assert.Equal(corpus.PathOf("gone.jsonl"), error.Location);
    }

    private static string Describe(InputRecord record) => record switch
    {
        InputDocument document => $"{document.Id}@{document.Origin}",
        _ => $"!@{record.Origin}",
    };

    private static string Content(InputRecord record) => record switch
    {
        InputDocument document => $"{document.Id}@{document.Origin}|{document.Text}|{string.Join(',', document.InputIds ?? [])}",
        MalformedInput malformed => $"{malformed.Reason}@{malformed.Origin}",
        _ => throw new InvalidOperationException(),
    };
}
