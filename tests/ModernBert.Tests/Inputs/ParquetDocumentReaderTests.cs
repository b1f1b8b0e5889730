using ModernBert.Inputs;
using Parquet;
using Parquet.Schema;

namespace ModernBert.Tests.Inputs;

public class ParquetDocumentReaderTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static Task<List<InputRecord>> ReadAsync(ModernBert.Storage.IObjectStore store, string key, InputOptions? options = null) =>
        new ParquetDocumentReader(options ?? new InputOptions()).ReadAsync(store, key, Cancellation).ToListAsync(Cancellation).AsTask();

    /// <summary>Writes a Parquet file with one row group per entry of <paramref name="rowGroups"/>.</summary>
    private static async Task<byte[]> WriteParquetAsync(ParquetSchema schema, params Func<ParquetRowGroupWriter, Task>[] rowGroups)
    {
        using var output = new MemoryStream();
        await using (ParquetWriter writer = await ParquetWriter.CreateAsync(schema, output, cancellationToken: Cancellation))
        {
            foreach (Func<ParquetRowGroupWriter, Task> writeRowGroup in rowGroups)
            {
                using ParquetRowGroupWriter rowGroup = writer.CreateRowGroup();
                await writeRowGroup(rowGroup);
            }
        }
        return output.ToArray();
    }

    [Fact]
    public async Task ReadsEveryRowGroupInOrderAndReportsNullsWithTheirRowNumbers()
    {
        var id = new DataField<string>("id", nullable: true);
        var text = new DataField<string>("text", nullable: true);
        var extra = new DataField<int>("extra");
        byte[] file = await WriteParquetAsync(new ParquetSchema(id, text, extra),
            async rowGroup =>
            {
                await rowGroup.WriteAsync(id, ["a", "b", null]);
                await rowGroup.WriteAsync(text, ["first", null, "third"]);
                await rowGroup.WriteAsync(extra, (ReadOnlyMemory<int>)new[] { 1, 2, 3 });
            },
            async rowGroup =>
            {
                await rowGroup.WriteAsync(id, ["c", "d"]);
                await rowGroup.WriteAsync(text, ["fourth", "fifth"]);
                await rowGroup.WriteAsync(extra, (ReadOnlyMemory<int>)new[] { 4, 5 });
            },
            async rowGroup =>
            {
                await rowGroup.WriteAsync(id, [""]);
                await rowGroup.WriteAsync(text, ["sixth"]);
                await rowGroup.WriteAsync(extra, (ReadOnlyMemory<int>)new[] { 6 });
            });
        using var corpus = new TempCorpus();
        corpus.Write("part-0.parquet", file);
        string location = corpus.PathOf("part-0.parquet");

        List<InputRecord> records = await ReadAsync(corpus.Store, "part-0.parquet");

        Assert.Equal(
        [
            new InputDocument("a", "first", null, $"{location}:row 1"),
            new MalformedInput("neither the text column 'text' nor the input ids column 'input_ids' has a value", $"{location}:row 2"),
            new MalformedInput("the id column 'id' is null", $"{location}:row 3"),
            new InputDocument("c", "fourth", null, $"{location}:row 4"),
            new InputDocument("d", "fifth", null, $"{location}:row 5"),
            new MalformedInput("the id column 'id' is empty", $"{location}:row 6"),
        ], records);
    }

    [Fact]
    public async Task ReadsInt64IdsAndListsOfInputIds()
    {
        var id = new DataField<long>("id");
        var item = new DataField<long>("element", nullable: true);
        var inputIds = new ListField("input_ids", item);
        // Rows: [1,2,3], null, [], [5,null], [-1], [3000000000]. Definition levels: 0 null list, 1 empty list,
        // 2 null element, 3 value; a repetition level of 0 starts a row.
        byte[] file = await WriteParquetAsync(new ParquetSchema(id, inputIds),
            async rowGroup =>
            {
                await rowGroup.WriteAsync(id, (ReadOnlyMemory<long>)new long[] { 10, 11, 12, 13, 14, 15 });
                await rowGroup.WriteAllPartsAsync(item, (ReadOnlyMemory<long>)new long[] { 1, 2, 3, 5, -1, 3_000_000_000 },
                    new[] { 3, 3, 3, 0, 1, 3, 2, 3, 3 }, new[] { 0, 1, 1, 0, 0, 0, 1, 0, 0 }, Cancellation);
            });
        using var corpus = new TempCorpus();
        corpus.Write("ids.parquet", file);
        string location = corpus.PathOf("ids.parquet");

        List<InputRecord> records = await ReadAsync(corpus.Store, "ids.parquet");

        Assert.Equal(6, records.Count);
        var first = Assert.IsType<InputDocument>(records[0]);
        Assert.Equal(("10", null, $"{location}:row 1"), (first.Id, first.Text, first.Origin));
        Assert.Equal(new[] { 1, 2, 3 }, first.InputIds);
        Assert.Equal(new MalformedInput("neither the text column 'text' nor the input ids column 'input_ids' has a value", $"{location}:row 2"), records[1]);
        var empty = Assert.IsType<InputDocument>(records[2]);
        Assert.Equal("12", empty.Id);
        Assert.Equal(Array.Empty<int>(), empty.InputIds);
        Assert.Equal(new MalformedInput("input_ids[1] is null", $"{location}:row 4"), records[3]);
        Assert.Equal(new MalformedInput("input_ids[0] is -1, outside 0..2147483647", $"{location}:row 5"), records[4]);
        Assert.Equal(new MalformedInput("input_ids[0] is 3000000000, outside 0..2147483647", $"{location}:row 6"), records[5]);
    }

    [Fact]
    public async Task ReadsInt32IdsWithTextAndInt32InputIdsUnderConfiguredNames()
    {
        var id = new DataField<int>("doc", nullable: true);
        var text = new DataField<string>("body");
        var inputIds = new ListField("tokens", new DataField<int>("element"));
        var item = (DataField)inputIds.Item;
        // Rows: [1,2], null, [9]. Definition levels: 0 null list, 1 empty list, 2 value.
        byte[] file = await WriteParquetAsync(new ParquetSchema(id, text, inputIds),
            async rowGroup =>
            {
                await rowGroup.WriteAsync(id, (ReadOnlyMemory<int?>)new int?[] { 7, 8, null });
                await rowGroup.WriteAsync(text, ["seven", "eight", "no id"]);
                await rowGroup.WriteAllPartsAsync(item, (ReadOnlyMemory<int>)new[] { 1, 2, 9 }, new[] { 2, 2, 0, 2 }, new[] { 0, 1, 0, 0 }, Cancellation);
            });
        using var corpus = new TempCorpus();
        corpus.Write("named.parquet", file);
        string location = corpus.PathOf("named.parquet");
        var options = new InputOptions { IdField = "doc", TextField = "body", InputIdsField = "tokens" };

        List<InputRecord> records = await ReadAsync(corpus.Store, "named.parquet", options);

        Assert.Equal(3, records.Count);
        var seven = Assert.IsType<InputDocument>(records[0]);
        Assert.Equal(("7", "seven", $"{location}:row 1"), (seven.Id, seven.Text, seven.Origin));
        Assert.Equal(new[] { 1, 2 }, seven.InputIds);
        Assert.Equal(new InputDocument("8", "eight", null, $"{location}:row 2"), records[1]);
        Assert.Equal(new MalformedInput("the id column 'doc' is null", $"{location}:row 3"), records[2]);
    }

    [Fact]
    public async Task MissingColumnsAreAnErrorNamingTheFileAndItsColumns()
    {
        var docId = new DataField<string>("doc_id");
        var body = new DataField<string>("body");
        byte[] file = await WriteParquetAsync(new ParquetSchema(docId, body),
            async rowGroup =>
            {
                await rowGroup.WriteAsync(docId, ["a"]);
                await rowGroup.WriteAsync(body, ["b"]);
            });
        using var corpus = new TempCorpus();
        corpus.Write("other.parquet", file);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ReadAsync(corpus.Store, "other.parquet"));

        Assert.Equal(
            $"{corpus.PathOf("other.parquet")} lacks the id column 'id' and a text column 'text' or an input ids column 'input_ids'; its columns are: doc_id (String), body (String).",
            error.Message);
    }

    [Fact]
    public async Task AColumnOfTheWrongTypeIsAnError()
    {
        var id = new DataField<string>("id");
        var text = new DataField<double>("text");
        byte[] file = await WriteParquetAsync(new ParquetSchema(id, text),
            async rowGroup =>
            {
                await rowGroup.WriteAsync(id, ["a"]);
                await rowGroup.WriteAsync(text, (ReadOnlyMemory<double>)new[] { 1.5 });
            });
        using var corpus = new TempCorpus();
        corpus.Write("typed.parquet", file);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ReadAsync(corpus.Store, "typed.parquet"));

        Assert.Equal($"{corpus.PathOf("typed.parquet")}: the text column 'text' is Double; expected a string column.", error.Message);
    }

    [Fact]
    public async Task AFileThatIsNotParquetIsAnErrorNamingIt()
    {
        using var corpus = new TempCorpus();
        corpus.WriteText("fake.parquet", "{\"id\":\"a\",\"text\":\"not parquet at all\"}\n");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ReadAsync(corpus.Store, "fake.parquet"));

        Assert.StartsWith($"{corpus.PathOf("fake.parquet")} is not a readable Parquet file: ", error.Message);
    }

    [Theory]
    [InlineData(0)] // the footer
    [InlineData(1)] // the row group's column chunks, beyond the footer's block
    public async Task AStoreThatCannotGiveTheBytesEndsTheReadWithItsOwnErrorRatherThanCallingTheFileUnreadable(int readsBeforeTheOutage)
    {
        var id = new DataField<string>("id");
        var text = new DataField<string>("text");
        var random = new Random(5);
        string[] ids = [.. Enumerable.Range(0, 100).Select(row => $"r{row}")];
        string[] texts = [.. ids.Select(_ => Convert.ToBase64String([.. Enumerable.Range(0, 3000).Select(_ => (byte)random.Next(256))]))];
        byte[] file = await WriteParquetAsync(new ParquetSchema(id, text), async rowGroup =>
        {
            await rowGroup.WriteAsync(id, ids);
            await rowGroup.WriteAsync(text, texts);
        });
        using var corpus = new TempCorpus();
        corpus.Write("a.parquet", file);
        var store = new OutageAfterReads(corpus.Store, readsBeforeTheOutage);

        var error = await Assert.ThrowsAsync<IOException>(() => ReadAsync(store, "a.parquet"));

        Assert.Same(store.Outage, error);
    }

    /// <summary>Gives the first range reads, then fails every one as a store does once its retries are spent.</summary>
    private sealed class OutageAfterReads(ModernBert.Storage.IObjectStore inner, int reads) : ModernBert.Tests.Storage.DelegatingObjectStore(inner)
    {
        private int _reads;

        public IOException Outage { get; } = new("Connection reset by peer");

        public override Task<byte[]> ReadRangeAsync(string key, long offset, int length, CancellationToken cancellationToken) =>
            _reads++ < reads ? Inner.ReadRangeAsync(key, offset, length, cancellationToken) : throw Outage;
    }

    [Fact]
    public async Task ReadsOnlyTheNeededColumnChunksThroughRangeReads()
    {
        var id = new DataField<string>("id");
        var text = new DataField<string>("text");
        var unused = new DataField<string>("unused_payload");
        var random = new Random(11);
        string Noise() => Convert.ToBase64String(Enumerable.Range(0, 3000).Select(_ => (byte)random.Next(256)).ToArray());
        var expected = new List<string>();
        var rowGroups = new List<Func<ParquetRowGroupWriter, Task>>();
        for (int group = 0; group < 4; group++)
        {
            string[] ids = Enumerable.Range(0, 250).Select(row => $"g{group}r{row}").ToArray();
            string[] payload = ids.Select(_ => Noise()).ToArray();
            expected.AddRange(ids);
            rowGroups.Add(async rowGroup =>
            {
                await rowGroup.WriteAsync(id, ids);
                await rowGroup.WriteAsync(text, ids.Select(value => $"text of {value}").ToArray());
                await rowGroup.WriteAsync(unused, payload);
            });
        }
        byte[] file = await WriteParquetAsync(new ParquetSchema(id, text, unused), [.. rowGroups]);
        using var corpus = new TempCorpus();
        corpus.Write("wide.parquet", file);
        var store = new CountingObjectStore(corpus.Store);

        List<InputRecord> records = await ReadAsync(store, "wide.parquet");

        Assert.Equal(expected, records.Select(record => Assert.IsType<InputDocument>(record).Id));
        Assert.All(records, record => Assert.Equal($"text of {((InputDocument)record).Id}", ((InputDocument)record).Text));
        Assert.Equal(0, store.SequentialOpens);
        Assert.True(store.RangeBytes < file.Length / 4, $"read {store.RangeBytes} of {file.Length} bytes");
        // Opening reads the head and the tail (footer); then one read per needed column chunk.
        Assert.True(store.RangeReads <= 2 + 4 * 2, $"{store.RangeReads} range reads");
    }
}
