using System.Text;
using System.Text.Json;
using ModernBert.Documents;
using ModernBert.Inference;
using ModernBert.Outputs;
using ModernBert.Tests.Common;
using ModernBert.Tokenization;
using TorchSharp;
using ModernBert.Tasks.Embed;

namespace ModernBert.IntegrationTests.Fleet;

/// <summary>One window (or whole document) a run must produce exactly once, with its reference embedding.</summary>
internal sealed record ExpectedRow(string Id, int Chunk, int TokenStart, int TokenEnd, float[] Embedding);

/// <summary>
/// A corpus of a few thousand documents of mixed lengths for the fleet scenarios: short ones, empty ones, some longer
/// than 8192 tokens, malformed lines and a duplicate id. What a run must write is computed here independently of the
/// fleet: the fixture tokenizer and document windows give each row's span, and the tiny fixture model run in this
/// process gives its embedding.
/// </summary>
internal sealed class FleetCorpus
{
    public const int DocumentCount = 3000;

    private static readonly Lazy<FleetCorpus> Shared = new(Create);

    private FleetCorpus(byte[] jsonl, IReadOnlyDictionary<(string Id, int Chunk), ExpectedRow> expected, int rejected, int longDocuments)
    {
        Jsonl = jsonl;
        Expected = expected;
        Rejected = rejected;
        LongDocuments = longDocuments;
    }

    public static string ModelPath => Fixtures.Require("tiny-modernbert-mlm");

    public byte[] Jsonl { get; }

    public IReadOnlyDictionary<(string Id, int Chunk), ExpectedRow> Expected { get; }

    /// <summary>Malformed lines and duplicate ids, which a run reports and skips.</summary>
    public int Rejected { get; }

    public int LongDocuments { get; }

    public static FleetCorpus Get() => Shared.Value;

    private static FleetCorpus Create()
    {
        string[] words = ["the", "model", "reads", "long", "documents", "and", "writes", "vectors", "to", "parquet", "files", "on", "blob",
            "storage", "while", "workers", "come", "and", "go", "résumé", "naïve", "日本", "42", "code()", "{x}", "..."];
        var random = new Random(2026);
        var lines = new StringBuilder();
        var texts = new List<(string Id, string Text)>();
        int rejected = 0, longDocuments = 0;
        for (int i = 0; i < DocumentCount; i++)
        {
            if (i % 400 == 17)
            {
                lines.Append("{\"id\": \"broken-").Append(i).Append("\", \"text\": \"unterminated\n");
                rejected++;
            }
            if (i % 450 == 31)
            {
                lines.Append("{\"id\": \"no-text-").Append(i).Append("\"}\n");
                rejected++;
            }
            int count = i % 500 == 123 ? 9000 + random.Next(4000) : i % 97 == 3 ? 0 : 1 + random.Next(120);
            if (count > 9000)
                longDocuments++;
            string text = string.Join(' ', Enumerable.Range(0, count).Select(_ => words[random.Next(words.Length)]));
            string id = $"doc-{i:D5}";
            texts.Add((id, text));
            lines.Append(JsonSerializer.Serialize(new { id, text })).Append('\n');
        }
        lines.Append(JsonSerializer.Serialize(new { id = "doc-00005", text = "a duplicate id" })).Append('\n');
        rejected++;

        ModernBertTokenizer tokenizer = ModernBertTokenizer.Load(ModelPath);
        var windows = new DocumentWindows(8192, 0, tokenizer.ClsTokenId, tokenizer.SepTokenId);
        DocumentChunk[] chunks = texts.SelectMany(document => windows.Split(document.Id, tokenizer.Encode(document.Text))).ToArray();
        var settings = new InferenceSettings(torch.CPU, torch.ScalarType.Float32);
        using IInferenceModel model = EmbedTask.Instance.Configure(new EmbedOptions()).Load(ModelFolder.Open(ModelPath), settings, null, CancellationToken.None);
        var expected = new Dictionary<(string, int), ExpectedRow>();
        foreach (ChunkResult result in new InferenceRunner(model, 65536).Run(chunks))
        {
            var row = (EmbeddingRow)result.Row!;
            expected.Add((row.Id, row.Chunk), new ExpectedRow(row.Id, row.Chunk, row.TokenStart, row.TokenEnd, row.Embedding));
        }
        return new FleetCorpus(Encoding.UTF8.GetBytes(lines.ToString()), expected, rejected, longDocuments);
    }
}
