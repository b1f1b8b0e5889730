using System.Text;
using System.Text.Json;
using ModernBert.Documents;
using ModernBert.Inference;
using ModernBert.Tasks;
using ModernBert.Tasks.Classify;
using ModernBert.Tasks.TokenClassify;
using ModernBert.Tests.Common;
using ModernBert.Tokenization;
using TorchSharp;

namespace ModernBert.IntegrationTests.Fleet;

/// <summary>
/// Pairs (a reranker over a <c>{"id", "query", "document"}</c> corpus) and token classification through <c>run</c>,
/// embedded and on RabbitMQ + Azurite workers (<see cref="TaskRunsBothWays"/>), with checkpoints the tests write
/// (<see cref="ClassifierCheckpoint"/>, windows of a few dozen tokens so that pairs are truncated and documents
/// windowed). Each window's row is written once, with what the model computes in this process for the same pair or
/// window, and the README's DuckDB queries run on the embedded run's output and join it to the corpus.
/// </summary>
[Collection(FleetCollection.Name)]
public sealed class ClassificationTasksFleetTests(RabbitMqFixture rabbitFixture, AzuriteFixture azuriteFixture) : IDisposable
{
    private const double Tolerance = 1e-5;
    private static readonly string[] Words = ["the", "capital", "of", "France", "is", "Paris", "Marie", "Curie", "lived", "in", "Warsaw", "and",
        "worked", "with", "Pierre", "near", "Lyon", "Zürich", "Genève", "Москва", "東京", "river", "a", "city", "where", "?", ".",
        // Outside the BMP: one code point each, as the spans count, two UTF-16 units.
        "🗼", "𝐀𝐁", "Tokyo🗼"];

    private readonly TemporaryFolder _folder = new();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task ARerankerScoresEveryPairOnceAsTheModelDoes_AndTheReadmeQueriesRankDocumentsPerQuery()
    {
        const int windowTokens = 40;
        string model = _folder.File("reranker");
        ClassifierCheckpoint.Write(model, "ModernBertForSequenceClassification", ["LABEL_0"], seed: 8,
            config => config with { MaxPositionEmbeddings = windowTokens });
        var random = new Random(15);
        var pairs = new Dictionary<string, (string Query, string Document)>();
        var lines = new StringBuilder();
        for (int q = 0; q < 6; q++)
        {
            string query = $"query {q}: {Sentence(random, 2 + random.Next(6))}";
            for (int d = 0; d < 4; d++)
            {
                string id = $"q{q}-d{d}", document = d == 3 && q == 0 ? "" : $"passage {d}: {Sentence(random, 1 + random.Next(d == 2 ? 60 : 20))}";
                pairs.Add(id, (query, document));
                lines.AppendLine(JsonSerializer.Serialize(new { id, query, document }));
            }
        }
        lines.AppendLine(JsonSerializer.Serialize(new { id = "half", query = "a query without its document" }));
        lines.AppendLine(JsonSerializer.Serialize(new { id = "other-half", document = "a document without its query" }));

        BothRuns runs = await new TaskRunsBothWays(rabbitFixture, azuriteFixture, _folder).RunAsync(model, Encoding.UTF8.GetBytes(lines.ToString()),
            ["--task", "classify", "--pairs", "--set", "Input:TextField=query", "--set", "Input:TextPairField=document"],
            "label", "score", "scores", "logit");

        Assert.True(runs.Manifest.GetProperty("task_options").GetProperty("pairs").GetBoolean());
        foreach (JsonElement manifest in new[] { runs.Manifest, runs.EmbeddedManifest })
        {
            Assert.Equal([($"corpus.jsonl:{pairs.Count + 1}", "document 'half': a pair needs two texts, and the record has only its first"),
                    ($"corpus.jsonl:{pairs.Count + 2}", "document 'other-half': a pair needs two texts, and the record has only its second")],
                manifest.GetProperty("rejected_inputs").EnumerateArray().Select(rejected =>
                    (Path.GetFileName(rejected.GetProperty("origin").GetString()!), rejected.GetProperty("reason").GetString()!)));
        }
        Dictionary<string, ClassificationRow> expected = ExpectedScores(model, windowTokens, pairs);
        Assert.Contains(expected.Values, row => row.TokenEnd < Tokenizer(model).EncodeWithoutSpecialTokens(pairs[row.Id].Document).Length);
        Assert.Equal(expected.Keys.Order(), runs.Rows.Keys.Select(key => key.Id).Order());
        foreach (((string id, int chunk), JsonElement row) in runs.Rows)
        {
            ClassificationRow want = expected[id];
            Assert.Equal((0, 0, want.TokenEnd, "LABEL_0"), (chunk, row.GetProperty("token_start").GetInt32(), row.GetProperty("token_end").GetInt32(),
                row.GetProperty("label").GetString()));
            AssertClose(want.Score, row.GetProperty("score").GetDouble(), $"{id} score");
            AssertClose(want.Logit, row.GetProperty("logit").GetDouble(), $"{id} logit");
            Assert.Equal(row.GetProperty("score").GetDouble(), Assert.Single(row.GetProperty("scores").EnumerateArray()).GetDouble());
        }

        JsonElement[] ranked = await QueryReadmeAsync("c.document", ["query", "document", "score", "logit"]);
        Assert.Equal(pairs.Count, ranked.Length);
        Dictionary<(string, string), string> idOfPair = pairs.ToDictionary(pair => pair.Value, pair => pair.Key);
        for (int i = 0; i < ranked.Length; i++)
        {
            string id = idOfPair[(ranked[i].GetProperty("query").GetString()!, ranked[i].GetProperty("document").GetString()!)];
            AssertClose(expected[id].Score, ranked[i].GetProperty("score").GetDouble(), $"{id} score in the README's query");
            AssertClose(expected[id].Logit, ranked[i].GetProperty("logit").GetDouble(), $"{id} logit in the README's query");
            if (i > 0 && ranked[i - 1].GetProperty("query").GetString() == ranked[i].GetProperty("query").GetString())
                Assert.True(ranked[i - 1].GetProperty("score").GetDouble() >= ranked[i].GetProperty("score").GetDouble(), "documents best first");
            else if (i > 0)
                Assert.True(string.CompareOrdinal(ranked[i - 1].GetProperty("query").GetString(), ranked[i].GetProperty("query").GetString()) < 0, "queries in order");
        }
        await AssertTheReadmeJoinAsync(runs, "query");
    }

    [Fact]
    public async Task TokenClassificationGivesEachWindowsEntitiesOnceWithSpansInTheDocument_AndTheReadmeQueriesShowTheirText()
    {
        const int windowTokens = 48;
        string[] labels = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"];
        string model = _folder.File("ner");
        ClassifierCheckpoint.Write(model, "ModernBertForTokenClassification", labels, seed: 9, config => config with { MaxPositionEmbeddings = windowTokens });
        var random = new Random(16);
        var texts = new Dictionary<string, string>();
        for (int i = 0; i < 24; i++)
            texts.Add($"doc-{i:D2}", Sentence(random, i == 5 ? 160 : 1 + random.Next(30)));
        texts.Add("empty", "");
        var lines = new StringBuilder();
        foreach ((string id, string text) in texts)
            lines.AppendLine(JsonSerializer.Serialize(new { id, text }));
        lines.AppendLine(JsonSerializer.Serialize(new { id = "ids", input_ids = new[] { 50281, 1000, 50282 } }));

        BothRuns runs = await new TaskRunsBothWays(rabbitFixture, azuriteFixture, _folder).RunAsync(model, Encoding.UTF8.GetBytes(lines.ToString()),
            ["--task", "token-classify"], "entities");

        Assert.Equal("simple", runs.Manifest.GetProperty("task_options").GetProperty("aggregation").GetString());
        Assert.Equal("document 'ids': the task takes no pre-tokenized input ids",
            Assert.Single(runs.Manifest.GetProperty("rejected_inputs").EnumerateArray()).GetProperty("reason").GetString());
        Dictionary<(string Id, int Chunk), TokenClassificationRow> expected = ExpectedEntities(model, windowTokens, texts);
        Assert.Contains(expected.Keys, key => key.Chunk > 1);
        Assert.Equal(expected.Keys.Order(), runs.Rows.Keys.Order());
        foreach (((string id, int chunk), JsonElement row) in runs.Rows)
        {
            TokenClassificationRow want = expected[(id, chunk)];
            Assert.Equal((want.TokenStart, want.TokenEnd), (row.GetProperty("token_start").GetInt32(), row.GetProperty("token_end").GetInt32()));
            JsonElement[] entities = [.. row.GetProperty("entities").EnumerateArray()];
            Assert.Equal(want.Entities.Select(entity => (entity.Label, entity.Start, entity.End)),
                entities.Select(entity => (entity.GetProperty("label").GetString()!, entity.GetProperty("start").GetInt32(), entity.GetProperty("end").GetInt32())));
            foreach ((Entity entity, JsonElement actual) in want.Entities.Zip(entities))
            {
                AssertClose(entity.Score, actual.GetProperty("score").GetDouble(), $"{id} chunk {chunk} entity at {entity.Start}");
                Assert.InRange(entity.Start, 0, entity.End - 1);
                Assert.InRange(entity.End, entity.Start + 1, CodePoints(texts[id], texts[id].Length));
                Assert.NotEqual("O", entity.Label);
            }
        }
        Assert.True(expected.Values.Sum(row => row.Entities.Length) > 20, "the random classifier finds entities");

        JsonElement[] spans = await QueryReadmeAsync("unnest(r.entities)", ["id", "chunk", "label", "score", "start", "end", "span"]);
        (string Id, int Chunk, int Start, int End, string Label, string Span)[] found = [.. spans.Select(span => (span.GetProperty("id").GetString()!,
            span.GetProperty("chunk").GetInt32(), span.GetProperty("start").GetInt32(), span.GetProperty("end").GetInt32(),
            span.GetProperty("label").GetString()!, span.GetProperty("span").GetString()!))];
        Assert.Equal(found.OrderBy(entity => entity.Id, StringComparer.Ordinal).ThenBy(entity => entity.Start).Select(entity => (entity.Id, entity.Start)),
            found.Select(entity => (entity.Id, entity.Start)));
        Assert.Equal(
            expected.SelectMany(row => row.Value.Entities.Select(entity =>
                (row.Key.Id, row.Key.Chunk, entity.Start, entity.End, entity.Label,
                    string.Concat(texts[row.Key.Id].EnumerateRunes().Skip(entity.Start).Take(entity.End - entity.Start))))).Order(),
            found.Order());
        await AssertTheReadmeJoinAsync(runs, "text");
    }

    private static string Sentence(Random random, int words) => string.Join(' ', Enumerable.Range(0, words).Select(_ => Words[random.Next(Words.Length)]));

    private static ModernBertTokenizer Tokenizer(string model) => ModernBertTokenizer.Load(model);

    /// <summary>Each pair encoded with the pair template, cut to the window (longest_first), and scored by the checkpoint in this process.</summary>
    private static Dictionary<string, ClassificationRow> ExpectedScores(string model, int windowTokens, Dictionary<string, (string Query, string Document)> pairs)
    {
        ModernBertTokenizer tokenizer = Tokenizer(model);
        DocumentChunk[] chunks = [.. pairs.Select(pair =>
        {
            TokenEncoding encoding = tokenizer.Encode(pair.Value.Query, pair.Value.Document, addSpecialTokens: true, new Truncation(windowTokens));
            return new DocumentChunk(pair.Key, 0, 0, encoding.SequenceIds.Count(sequence => sequence == 1), encoding.Ids);
        })];
        return Infer(model, ClassifyTask.Instance.Configure(new ClassifyOptions(Pairs: true)), chunks)
            .Cast<ClassificationRow>().ToDictionary(row => row.Id);
    }

    /// <summary>
    /// Each text's windows (no overlap: every window decides its own tokens), each ending before the word a cut at the
    /// window's length would split if that word starts in the window's second half (transformers' heuristic: a token
    /// continues a word when neither the character before it nor its first is a space), their tokens' spans taken from
    /// the encoding of the whole text in code points, grouped by the checkpoint in this process.
    /// </summary>
    private static Dictionary<(string, int), TokenClassificationRow> ExpectedEntities(string model, int windowTokens, Dictionary<string, string> texts)
    {
        ModernBertTokenizer tokenizer = Tokenizer(model);
        var chunks = new List<DocumentChunk>();
        foreach ((string id, string text) in texts)
        {
            TokenEncoding encoding = tokenizer.Encode(text, null);
            int tokens = encoding.Length - 2;
            bool ContinuesAWord(int token)
            {
                int start = encoding.Offsets[1 + token].Start;
                return start > 0 && text[start - 1] != ' ' && (start >= text.Length || text[start] != ' ');
            }
            for (int start = 0, chunk = 0; start < tokens || chunk == 0; chunk++)
            {
                int end = Math.Min(start + windowTokens - 2, tokens);
                int cut = end;
                while (end < tokens && cut > start + (windowTokens - 2) / 2 && ContinuesAWord(cut))
                    cut--;
                if (end < tokens && !ContinuesAWord(cut))
                    end = cut;
                int[] ids = [encoding.Ids[0], .. encoding.Ids[(1 + start)..(1 + end)], encoding.Ids[^1]];
                var offsets = new int[2 * ids.Length];
                for (int i = 1; i < ids.Length - 1; i++)
                    (offsets[2 * i], offsets[2 * i + 1]) = (CodePoints(text, encoding.Offsets[start + i].Start), CodePoints(text, encoding.Offsets[start + i].End));
                chunks.Add(new DocumentChunk(id, chunk, start, end, ids) { Alignment = new TokenAlignment(offsets, new bool[ids.Length], 1, ids.Length - 1) });
                start = end;
            }
        }
        return Infer(model, TokenClassifyTask.Instance.Configure(new TokenClassifyOptions()), [.. chunks])
            .Cast<TokenClassificationRow>().ToDictionary(row => (row.Id, row.Chunk));
    }

    private static int CodePoints(string text, int utf16Units) => text[..utf16Units].EnumerateRunes().Count();

    private static IEnumerable<object> Infer(string model, ConfiguredTask task, DocumentChunk[] chunks)
    {
        using IInferenceModel loaded = task.Load(ModelFolder.Open(model), new InferenceSettings(torch.CPU, torch.ScalarType.Float32), null, Cancellation);
        return [.. new InferenceRunner(loaded, 65536).Run(chunks, Cancellation).Select(result => (object)result.Row!)];
    }

    /// <summary>The README's query holding <paramref name="marker"/>, run in the embedded run's folder; its columns must be <paramref name="columns"/>.</summary>
    private async Task<JsonElement[]> QueryReadmeAsync(string marker, string[] columns)
    {
        JsonElement result = await DuckDbReader.QueryAsync(ReadmeQueries.Containing(marker), _folder.Path);
        Assert.Equal(columns, result.GetProperty("columns").EnumerateArray().Select(column => column.GetProperty("name").GetString()));
        return [.. result.GetProperty("rows").EnumerateArray()];
    }

    /// <summary>The README's join of any task's results to its corpus: every row once, with its corpus record's fields.</summary>
    private async Task AssertTheReadmeJoinAsync(BothRuns runs, string corpusField)
    {
        JsonElement result = await DuckDbReader.QueryAsync(ReadmeQueries.Containing("EXCLUDE (id)"), _folder.Path);
        JsonElement[] rows = [.. result.GetProperty("rows").EnumerateArray()];
        string[] columns = [.. result.GetProperty("columns").EnumerateArray().Select(column => column.GetProperty("name").GetString()!)];
        Assert.Equal(1, columns.Count(column => column == "id"));
        Assert.Contains(corpusField, columns);
        Assert.Contains("token_end", columns);
        Assert.Equal(runs.Rows.Keys.OrderBy(key => key.Id, StringComparer.Ordinal).ThenBy(key => key.Chunk), rows.Select(row => (row.GetProperty("id").GetString()!, row.GetProperty("chunk").GetInt32())));
        Assert.All(rows, row => Assert.NotEqual(JsonValueKind.Null, row.GetProperty(corpusField).ValueKind));
    }

    private static void AssertClose(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= Tolerance, $"{what}: {actual}, expected {expected}");
}
