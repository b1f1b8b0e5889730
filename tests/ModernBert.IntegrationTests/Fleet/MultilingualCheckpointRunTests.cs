using System.Text.Json;
using ModernBert.Fleet;
using ModernBert.Tests.Common;

namespace ModernBert.IntegrationTests.Fleet;

/// <summary>
/// Checkpoints with the tokenizers of multilingual ModernBERTs run end to end: <c>modernbert run</c> (the embedded
/// default) embeds texts in many scripts with a tiny random model around a 256k-entry Gemma-style BPE with byte
/// fallback (as mmBERT has) and around a SentencePiece-converted Unigram (Precompiled + Metaspace), both built by
/// Hugging Face tokenizers (tests/tools/hf-build-tokenizers.mjs). DuckDB reads every document back once, split into
/// windows whose token counts are Hugging Face's; each window of a long document embeds as Hugging Face's ids for it
/// wrapped in the template's special tokens do; pre-tokenized ids below the model's vocab_size are embedded, those
/// above are rejected naming the document.
/// </summary>
public sealed class MultilingualCheckpointRunTests(HuggingFaceBuiltTokenizers built) : IClassFixture<HuggingFaceBuiltTokenizers>, IDisposable
{
    private const int WindowTokens = RandomModernBertCheckpoint.MaxPositions - 2;
    private readonly TemporaryFolder _folder = new();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("gemma-bpe-256k", 256_000, 256_000)]
    [InlineData("sentencepiece-unigram-always", 250, 320)]
    public async Task RunEmbedsAMultilingualCorpus_EveryDocumentOnceInWindowsOfHuggingFacesTokens(string kind, int tokenizerIds, int vocabSize)
    {
        string tokenizer = Path.Combine(await built.FolderAsync(), kind);
        Assert.Equal(tokenizerIds, IdsOf(Path.Combine(tokenizer, "tokenizer.json")));
        string model = _folder.File("model");
        RandomModernBertCheckpoint.Write(model, tokenizer, vocabSize);
        Dictionary<string, int> specials = RandomModernBertCheckpoint.SpecialTokenIds(tokenizer);

        Dictionary<string, string> texts = MultilingualTexts.All.Select((text, i) => ($"text-{i}", text))
            .Append(("long", string.Join(' ', MultilingualTexts.All))).ToDictionary();
        Dictionary<string, int[]> encoded = await EncodeWithHuggingFaceAsync(Path.Combine(model, "tokenizer.json"), texts);
        int[] longIds = encoded["long"];
        int[][] windows = [.. longIds[1..^1].Chunk(WindowTokens).Select(window => (int[])[longIds[0], .. window, longIds[^1]])];
        Assert.True(windows.Length > 3, $"the long document has {longIds.Length} tokens");
        Dictionary<string, int[]> ids = windows.Select((window, k) => ($"long-window-{k}", window)).ToDictionary();
        ids["highest-id"] = [specials["cls_token"], vocabSize - 1, specials["sep_token"]];
        ids["beyond"] = [specials["cls_token"], vocabSize, specials["sep_token"]];
        string corpus = WriteCorpus(texts, ids);

        using ChildProcess run = FleetApps.Start(FleetApps.Coordinator, ["run", "--input", corpus, "--model", model, "--output", "results"],
            new Dictionary<string, string> { ["Worker__Devices"] = "cpu", ["Logging__LogLevel__Default"] = "Warning" }, _folder.Path);
        int exit = await run.WaitForExitAsync(TimeSpan.FromMinutes(3), Cancellation);
        Assert.True(exit == 0, run.OutputTail);

        JsonElement manifest = ReadManifest();
        JsonElement rejected = Assert.Single(manifest.GetProperty("rejected_inputs").EnumerateArray());
        Assert.Equal($"{corpus}:{texts.Count + ids.Count}: document 'beyond': input id {vocabSize} at position 1 is outside the vocabulary (0..{vocabSize - 1})",
            $"{rejected.GetProperty("origin").GetString()}: {rejected.GetProperty("reason").GetString()}");
        Dictionary<string, Row[]> rows = await ReadRowsAsync();
        Assert.Equal(texts.Keys.Concat(ids.Keys).Where(id => id != "beyond").Order(), rows.Keys.Order());
        foreach ((string id, int[] hfIds) in encoded)
        {
            // The template is [CLS] $A [SEP] with the tokens tokenizer_config.json names, as windows wrap their slices.
            Assert.Equal((specials["cls_token"], specials["sep_token"]), (hfIds[0], hfIds[^1]));
            int[] spans = [.. rows[id].SelectMany(row => new[] { row.TokenStart, row.TokenEnd })];
            int[] expected = [.. Enumerable.Range(0, Math.Max(1, (hfIds.Length - 2 + WindowTokens - 1) / WindowTokens))
                .SelectMany(k => new[] { k * WindowTokens, Math.Min((k + 1) * WindowTokens, hfIds.Length - 2) })];
            Assert.True(expected.SequenceEqual(spans), $"{id}: spans {string.Join(',', spans)}, Hugging Face's {hfIds.Length - 2} tokens give {string.Join(',', expected)}");
        }
        Assert.All(rows.Values.SelectMany(chunks => chunks), row => Assert.True(row.Embedding.Length == 16 && row.Embedding.All(float.IsFinite), $"{row.Id} {row.Chunk}"));
        for (int k = 0; k < windows.Length; k++)
        {
            double error = rows["long"][k].Embedding.Zip(Assert.Single(rows[$"long-window-{k}"]).Embedding, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(error <= 1e-5, $"window {k} of the long document: max abs error {error:E2} against Hugging Face's ids for it");
        }
    }

    public void Dispose() => _folder.Dispose();

    private sealed record Row(string Id, int Chunk, int TokenStart, int TokenEnd, float[] Embedding);

    /// <summary>The highest id of a tokenizer.json (its model's vocabulary and added tokens) plus one.</summary>
    private static int IdsOf(string tokenizerFile)
    {
        using JsonDocument json = JsonDocument.Parse(File.ReadAllBytes(tokenizerFile));
        JsonElement vocab = json.RootElement.GetProperty("model").GetProperty("vocab");
        int modelIds = vocab.ValueKind == JsonValueKind.Array ? vocab.GetArrayLength() : vocab.EnumerateObject().Max(entry => entry.Value.GetInt32()) + 1;
        return Math.Max(modelIds, json.RootElement.GetProperty("added_tokens").EnumerateArray().Max(token => token.GetProperty("id").GetInt32()) + 1);
    }

    /// <summary>Each text's ids with special tokens, as Hugging Face tokenizers encodes it (tests/tools/hf-encode.mjs).</summary>
    private static async Task<Dictionary<string, int[]>> EncodeWithHuggingFaceAsync(string tokenizerFile, Dictionary<string, string> texts)
    {
        string[] lines = await HuggingFaceNode.RunAsync("hf-encode.mjs",
            [.. texts.Values.Select(text => JsonSerializer.Serialize(new { tokenizer = tokenizerFile, text, addSpecialTokens = true }))]);
        Assert.Equal(texts.Count, lines.Length);
        return texts.Keys.Zip(lines, (id, line) =>
        {
            using JsonDocument encoding = JsonDocument.Parse(line);
            Assert.False(encoding.RootElement.TryGetProperty("error", out JsonElement error), $"{id}: {error}");
            return (id, encoding.RootElement.GetProperty("ids").EnumerateArray().Select(value => value.GetInt32()).ToArray());
        }).ToDictionary();
    }

    private string WriteCorpus(Dictionary<string, string> texts, Dictionary<string, int[]> ids)
    {
        string path = _folder.File("corpus.jsonl");
        File.WriteAllLines(path, texts.Select(text => JsonSerializer.Serialize(new { id = text.Key, text = text.Value }))
            .Concat(ids.Select(document => JsonSerializer.Serialize(new { id = document.Key, input_ids = document.Value }))));
        return path;
    }

    private JsonElement ReadManifest() =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_folder.File("results"), RunOutput.Manifest))).RootElement.Clone();

    /// <summary>Every row DuckDB reads from the manifest's files, by document, in chunk order; a chunk twice fails.</summary>
    private async Task<Dictionary<string, Row[]>> ReadRowsAsync()
    {
        IEnumerable<Row> rows = (await LocalRunOutput.ReadRowsAsync(_folder.File("results"), Cancellation)).Select(row => new Row(
            row.GetProperty("id").GetString()!, row.GetProperty("chunk").GetInt32(), row.GetProperty("token_start").GetInt32(),
            row.GetProperty("token_end").GetInt32(), [.. row.GetProperty("embedding").EnumerateArray().Select(value => value.GetSingle())]));
        return rows.GroupBy(row => row.Id).ToDictionary(document => document.Key, document =>
        {
            Row[] chunks = [.. document.OrderBy(row => row.Chunk)];
            Assert.True(chunks.Select(row => row.Chunk).SequenceEqual(Enumerable.Range(0, chunks.Length)), $"{document.Key}: chunks {string.Join(',', chunks.Select(row => row.Chunk))}");
            return chunks;
        });
    }
}
