using System.Text;
using ModernBert.Inputs;

namespace ModernBert.Tests.Inputs;

public class JsonLinesReaderTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static Task<List<InputRecord>> ReadAsync(TempCorpus corpus, string key, InputOptions? options = null, int? maxLineBytes = null)
    {
        var reader = maxLineBytes is null
            ? new JsonLinesReader(options ?? new InputOptions())
            : new JsonLinesReader(options ?? new InputOptions(), maxLineBytes.Value);
        return reader.ReadAsync(corpus.Store, key, Cancellation).ToListAsync(Cancellation).AsTask();
    }

    private const string ValidCorpus =
        "{\"id\":\"a\",\"text\":\"first \\u00e9\\n line\",\"lang\":{\"nested\":[1,{\"text\":\"ignored\"}]}}\r\n" +
        "\n" +
        "   \t \r\n" +
        "{\"id\": 42, \"input_ids\": [0, 7, 2147483647]}\n" +
        "{\"id\":\"b\",\"text\":\"both\",\"input_ids\":[]}\n" +
        "{\"id\":-1.5e3,\"text\":\"\"}";

    [Theory]
    [InlineData("corpus.jsonl")]
    [InlineData("corpus.ndjson")]
    [InlineData("corpus.json")]
    [InlineData("corpus.jsonl.gz")]
    [InlineData("corpus.JSONL.ZST")]
    public async Task ReadsDocumentsFromPlainAndCompressedObjects(string key)
    {
        using var corpus = new TempCorpus();
        byte[] content = Encoding.UTF8.GetBytes(ValidCorpus);
        corpus.Write(key, key.EndsWith(".gz") ? TempCorpus.Gzip(content) : key.EndsWith(".ZST") ? TempCorpus.Zstd(content) : content);
        string location = corpus.PathOf(key);

        List<InputRecord> records = await ReadAsync(corpus, key);

        Assert.Collection(records,
            r => AssertDocument(r, "a", "first é\n line", null, $"{location}:1"),
            r => AssertDocument(r, "42", null, [0, 7, int.MaxValue], $"{location}:4"),
            r => AssertDocument(r, "b", "both", [], $"{location}:5"),
            r => AssertDocument(r, "-1.5e3", "", null, $"{location}:6"));
    }

    [Fact]
    public async Task AskedToKeepLines_EachDocumentCarriesItsLineWithoutByteOrderMarkOrLineEnd()
    {
        using var corpus = new TempCorpus();
        corpus.Write("corpus.jsonl", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(ValidCorpus)]);

        List<InputRecord> kept = await new JsonLinesReader(new InputOptions(), keepLines: true).ReadAsync(corpus.Store, "corpus.jsonl", Cancellation).ToListAsync(Cancellation);
        List<InputRecord> plain = await ReadAsync(corpus, "corpus.jsonl");

        string[] lines = ValidCorpus.Split('\n');
        Assert.Equal([lines[0].TrimEnd('\r'), lines[3], lines[4], lines[5]],
            kept.Select(record => Encoding.UTF8.GetString(Assert.IsType<InputDocument>(record).JsonLine!)));
        Assert.All(plain, record => Assert.Null(Assert.IsType<InputDocument>(record).JsonLine));
    }

    [Fact]
    public async Task ReportsEachMalformedLineWithItsNumberAndReadsOn()
    {
        using var corpus = new TempCorpus();
        string[] lines =
        [
            """{"id":"a","text":"ok"}""",
            "",
            """{"id":"b","text":"unterminated""",
            "[1,2]",
            "\"just a string\"",
            """{"text":"no id"}""",
            """{"id":"c"}""",
            """{"id":null,"text":"x"}""",
            """{"id":true,"text":"x"}""",
            """{"id":"d","text":5}""",
            """{"id":"e","input_ids":"1 2"}""",
            """{"id":"f","input_ids":[1,-2]}""",
            """{"id":"g","input_ids":[1,2.5]}""",
            """{"id":"h","input_ids":[1,"2"]}""",
            """{"id":"i","input_ids":[3000000000]}""",
            """{"id":"j","text":"x","id":"k"}""",
            """{"id":"","text":"x"}""",
            """{"id":"l","text":"x"} {"id":"m"}""",
            """{"id":"n","text":null,"input_ids":null}""",
            """{"id":"o","text":"x","input_ids":[{}]}""",
            """{"id":"p","text":"last line, no newline"}""",
        ];
        corpus.WriteText("bad.jsonl", string.Join('\n', lines));
        string location = corpus.PathOf("bad.jsonl");

        List<InputRecord> records = await ReadAsync(corpus, "bad.jsonl");

        Assert.Equal(20, records.Count);
        AssertDocument(records[0], "a", "ok", null, $"{location}:1");
        // The position is within the line, whose number the origin holds; the reader's own "LineNumber: 0" is left out.
        AssertMalformedStartsWith(records[1], "invalid JSON at byte 31: ", $"{location}:3");
        AssertMalformed(records[2], "expected a JSON object, found an array", $"{location}:4");
        AssertMalformed(records[3], "expected a JSON object, found a string", $"{location}:5");
        AssertMalformed(records[4], "missing id field 'id'", $"{location}:6");
        AssertMalformed(records[5], "neither text field 'text' nor input ids field 'input_ids' has a value", $"{location}:7");
        AssertMalformed(records[6], "id field 'id' is null", $"{location}:8");
        AssertMalformed(records[7], "id field 'id' must be a string or a number, found a boolean", $"{location}:9");
        AssertMalformed(records[8], "text field 'text' must be a string, found a number", $"{location}:10");
        AssertMalformed(records[9], "input ids field 'input_ids' must be an array, found a string", $"{location}:11");
        AssertMalformed(records[10], "input_ids[1] is -2, outside 0..2147483647", $"{location}:12");
        AssertMalformed(records[11], "input_ids[1] must be a non-negative integer, found 2.5", $"{location}:13");
        AssertMalformed(records[12], "input_ids[1] must be a non-negative integer, found a string", $"{location}:14");
        AssertMalformed(records[13], "input_ids[0] is 3000000000, outside 0..2147483647", $"{location}:15");
        AssertMalformed(records[14], "field 'id' appears more than once", $"{location}:16");
        AssertMalformed(records[15], "id field 'id' is empty", $"{location}:17");
        AssertMalformedStartsWith(records[16], "invalid JSON at byte 23: ", $"{location}:18");
        Assert.All(new[] { records[1], records[16] }, record => Assert.DoesNotContain("LineNumber", ((MalformedInput)record).Reason, StringComparison.Ordinal));
        AssertMalformed(records[17], "neither text field 'text' nor input ids field 'input_ids' has a value", $"{location}:19");
        AssertMalformed(records[18], "input_ids[0] must be a non-negative integer, found an object", $"{location}:20");
        AssertDocument(records[19], "p", "last line, no newline", null, $"{location}:21");
    }

    [Fact]
    public async Task ReportsAStringThatIsNotValidUtf8()
    {
        using var corpus = new TempCorpus();
        byte[] bad = [.. """{"id":"x","text":"caf"""u8, 0xC3, 0x28, .. "\"}\n"u8, .. """{"id":"y","text":"fine"}"""u8];
        corpus.Write("utf8.jsonl", bad);
        string location = corpus.PathOf("utf8.jsonl");

        List<InputRecord> records = await ReadAsync(corpus, "utf8.jsonl");

        Assert.Equal(2, records.Count);
        AssertMalformedStartsWith(records[0], "invalid", $"{location}:1");
        AssertDocument(records[1], "y", "fine", null, $"{location}:2");
    }

    [Fact]
    public async Task SkipsAByteOrderMarkOnTheFirstLine()
    {
        using var corpus = new TempCorpus();
        corpus.Write("bom.jsonl", [0xEF, 0xBB, 0xBF, .. """{"id":"a","text":"x"}"""u8]);

        List<InputRecord> records = await ReadAsync(corpus, "bom.jsonl");

        AssertDocument(Assert.Single(records), "a", "x", null, $"{corpus.PathOf("bom.jsonl")}:1");
    }

    [Fact]
    public async Task UsesTheConfiguredFieldNames()
    {
        using var corpus = new TempCorpus();
        corpus.WriteText("custom.jsonl", """
            {"doc":"a","body":"hello","id":"ignored","text":"ignored"}
            {"doc":"b","tokens":[5,6]}
            {"id":"c","text":"no doc field"}
            """);
        var options = new InputOptions { IdField = "doc", TextField = "body", InputIdsField = "tokens" };
        string location = corpus.PathOf("custom.jsonl");

        List<InputRecord> records = await ReadAsync(corpus, "custom.jsonl", options);

        Assert.Collection(records,
            r => AssertDocument(r, "a", "hello", null, $"{location}:1"),
            r => AssertDocument(r, "b", null, [5, 6], $"{location}:2"),
            r => AssertMalformed(r, "missing id field 'doc'", $"{location}:3"));
    }

    [Fact]
    public async Task ARecordWithOnlyTheSecondTextOfAPairIsADocumentForThePairsTaskToJudge()
    {
        using var corpus = new TempCorpus();
        corpus.WriteText("pairs.jsonl", """
            {"id":"both","query":"q","document":"d"}
            {"id":"second","document":"d"}
            {"id":"none","other":"x"}
            """);
        var options = new InputOptions { TextField = "query", TextPairField = "document" };
        string location = corpus.PathOf("pairs.jsonl");

        List<InputRecord> records = await ReadAsync(corpus, "pairs.jsonl", options);

        Assert.Equal([("both", "q", "d"), ("second", null, "d")],
            records.Take(2).Select(record => Assert.IsType<InputDocument>(record)).Select(document => (document.Id, document.Text, document.TextPair)));
        AssertMalformed(records[2], "neither text field 'query' nor input ids field 'input_ids' has a value", $"{location}:3");
    }

    [Fact]
    public async Task ReadsMegabyteLinesIntact()
    {
        using var corpus = new TempCorpus();
        var random = new Random(7);
        string[] pieces = ["a", "b", "c", " ", "é", "€", "😀", "\"", "\\", "\t", "\n"];
        string Long(int length)
        {
            var builder = new StringBuilder(length + 2);
            while (builder.Length < length)
                builder.Append(pieces[random.Next(pieces.Length)]);
            return builder.ToString();
        }
        string[] texts = [Long(1_500_000), "short", Long(3_000_000), Long(10)];
        var content = new StringBuilder();
        for (int i = 0; i < texts.Length; i++)
            content.Append(System.Text.Json.JsonSerializer.Serialize(new { id = $"d{i}", text = texts[i] })).Append('\n');
        corpus.Write("long.jsonl.gz", TempCorpus.Gzip(Encoding.UTF8.GetBytes(content.ToString())));

        List<InputRecord> records = await ReadAsync(corpus, "long.jsonl.gz");

        Assert.Equal(texts.Length, records.Count);
        for (int i = 0; i < texts.Length; i++)
        {
            var document = Assert.IsType<InputDocument>(records[i]);
            Assert.Equal($"d{i}", document.Id);
            Assert.Equal(texts[i], document.Text);
        }
    }

    [Fact]
    public async Task ReportsALineOverTheLimitAndReadsOnAfterIt()
    {
        using var corpus = new TempCorpus();
        string tooLong = $$"""{"id":"big","text":"{{new string('x', 5000)}}"}""";
        corpus.WriteText("limit.jsonl", $$"""
            {"id":"a","text":"before"}
            {{tooLong}}
            {"id":"b","text":"after"}
            {{tooLong}}
            """);
        string location = corpus.PathOf("limit.jsonl");

        List<InputRecord> records = await ReadAsync(corpus, "limit.jsonl", maxLineBytes: 1000);

        Assert.Collection(records,
            r => AssertDocument(r, "a", "before", null, $"{location}:1"),
            r => AssertMalformed(r, "line is longer than 1000 bytes", $"{location}:2"),
            r => AssertDocument(r, "b", "after", null, $"{location}:3"),
            r => AssertMalformed(r, "line is longer than 1000 bytes", $"{location}:4"));
    }

    public static TheoryData<string, string> BrokenCompressedObjects => new()
    {
        { "corrupt.jsonl.gz", "corrupt" },
        { "truncated.jsonl.gz", "truncated" },
        { "corrupt.jsonl.zst", "corrupt" },
        { "truncated.jsonl.zst", "truncated" },
    };

    [Theory]
    [MemberData(nameof(BrokenCompressedObjects))]
    public async Task CorruptOrTruncatedCompressedDataIsAnErrorNamingTheObject(string key, string damage)
    {
        using var corpus = new TempCorpus();
        var content = new StringBuilder();
        var random = new Random(3);
        for (int i = 0; i < 20_000; i++)
            content.Append($$"""{"id":"{{i}}","text":"{{random.NextInt64()}} {{random.NextInt64()}}"}""").Append('\n');
        byte[] plain = Encoding.UTF8.GetBytes(content.ToString());
        byte[] compressed = key.EndsWith(".gz") ? TempCorpus.Gzip(plain) : TempCorpus.Zstd(plain);
        if (damage == "corrupt")
        {
            for (int i = compressed.Length / 2; i < compressed.Length / 2 + 64; i++)
                compressed[i] ^= 0x5A;
        }
        else
        {
            compressed = compressed[..(compressed.Length * 2 / 3)];
        }
        corpus.Write(key, compressed);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ReadAsync(corpus, key));

        Assert.Contains(corpus.PathOf(key), error.Message);
        Assert.Contains("corrupt or truncated", error.Message);
    }

    private static void AssertDocument(InputRecord record, string id, string? text, int[]? inputIds, string origin)
    {
        var document = Assert.IsType<InputDocument>(record);
        Assert.Equal(id, document.Id);
        Assert.Equal(text, document.Text);
        Assert.Equal(inputIds, document.InputIds);
        Assert.Equal(origin, document.Origin);
    }

    private static void AssertMalformed(InputRecord record, string reason, string origin)
    {
        var malformed = Assert.IsType<MalformedInput>(record);
        Assert.Equal((reason, origin), (malformed.Reason, malformed.Origin));
    }

    private static void AssertMalformedStartsWith(InputRecord record, string reasonStart, string origin)
    {
        var malformed = Assert.IsType<MalformedInput>(record);
        Assert.StartsWith(reasonStart, malformed.Reason);
        Assert.Equal(origin, malformed.Origin);
    }
}
