using System.Text.Json;
using ModernBert.Documents;
using ModernBert.Inference;
using ModernBert.Tasks;
using ModernBert.Tasks.Multivector;
using ModernBert.Tests.Common;
using ModernBert.Tests.Inference;
using ModernBert.Tests.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Tests.Tasks;

/// <summary>
/// The multivector task over a PyLate folder (Transformer, PyLate Dense 64 to 16 without bias) against the projection
/// and normalization computed here from the reference hidden states, with the skiplist's tokens dropped.
/// </summary>
public sealed class MultivectorTaskTests
{
    private const int Hidden = 64, Out = 16;

    [Fact]
    public void DocumentsAreProjectedNormalizedPerTokenWithoutSkiplistTokens()
    {
        ReferenceOutputs reference = ReferenceOutputs.Load();
        using var folder = new SentenceTransformersFolder();
        // Two words whose tokens occur in the reference sequences, so that dropping them is seen.
        int[] skipped = [reference.InputIds[4][3], reference.InputIds[5][10]];
        string[] words = [.. skipped.Select(id => TokenOf(folder.Path, id))];
        folder.Json("modules.json", """
            [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
             {"idx": 1, "name": "1", "path": "1_Dense", "type": "pylate.models.Dense.Dense"}]
            """)
            .Json("config_sentence_transformers.json", JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["query_prefix"] = "[unused0]", ["document_prefix"] = "[unused1]", ["query_length"] = 12, ["document_length"] = 300,
                ["attend_to_expansion_tokens"] = true, ["skiplist_words"] = words,
            }));
        (float[,] weight, _) = folder.Dense("1_Dense", Hidden, Out, bias: false, "torch.nn.modules.linear.Identity", seed: 11);
        ModelFolder model = ModelFolder.Open(folder.Path);
        ConfiguredTask task = MultivectorTask.Instance.Configure(new MultivectorOptions()).ForModel(model);

        Assert.Equal(new TaskTokenization(300, PrefixToken: "[unused1]"), task.Tokenization);
        using IInferenceModel multivector = task.Load(model, new InferenceSettings(torch.CPU, ScalarType.Float32), null, TestContext.Current.CancellationToken);
        DocumentChunk[] chunks = [.. reference.InputIds.Take(8).Select((ids, k) => new DocumentChunk($"seq{k}", 0, 0, ids.Length - 2, ids))];
        MultivectorRow[] rows = [.. multivector.Start(chunks).Complete().Cast<MultivectorRow>()];

        for (int k = 0; k < chunks.Length; k++)
        {
            int[] kept = [.. Enumerable.Range(0, chunks[k].InputIds.Length).Where(t => !skipped.Contains(chunks[k].InputIds[t]))];
            Assert.Equal(kept.Length, rows[k].Embeddings.Length);
            for (int i = 0; i < kept.Length; i++)
            {
                float[] projected = [.. Enumerable.Range(0, Out).Select(o =>
                    (float)Enumerable.Range(0, Hidden).Sum(j => (double)weight[o, j] * reference.Hidden[k][kept[i], j]))];
                ReferenceEmbeddings.AssertClose(ReferenceEmbeddings.Normalize(projected), rows[k].Embeddings[i], $"sequence {k} token {kept[i]}");
            }
        }
        Assert.True(rows[4].Embeddings.Length < chunks[4].InputIds.Length);
        Assert.True(rows[5].Embeddings.Length < chunks[5].InputIds.Length);
    }

    [Fact]
    public void QueriesTakeTheQueryPrefixLengthAndExpansion()
    {
        using var folder = new SentenceTransformersFolder();
        folder.Json("config_sentence_transformers.json", """{"query_prefix": "[unused0]", "query_length": 12, "attend_to_expansion_tokens": true}""");

        ConfiguredTask task = MultivectorTask.Instance.Configure(new MultivectorOptions(Query: true)).ForModel(ModelFolder.Open(folder.Path));

        Assert.Equal(new TaskTokenization(12, PrefixToken: "[unused0]", Query: true, ExpandWithMask: true), task.Tokenization);
        Assert.Contains("\"expansion\":true", task.OptionsJson, StringComparison.Ordinal);
    }

    [Fact]
    public void QueriesWhoseMaskTokensAttentionMustNotSeeAreRefused()
    {
        using var folder = new SentenceTransformersFolder();
        folder.Json("config_sentence_transformers.json", """{"query_prefix": "[unused0]", "query_length": 12}""");

        var error = Assert.Throws<ConfigurationException>(() =>
            MultivectorTask.Instance.Configure(new MultivectorOptions(Query: true)).ForModel(ModelFolder.Open(folder.Path)));

        Assert.Contains("attend_to_expansion_tokens is false", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The vocabulary's string for an id, from tokenizer.json (model.vocab).</summary>
    private static string TokenOf(string folder, int id)
    {
        using JsonDocument tokenizer = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "tokenizer.json")));
        return tokenizer.RootElement.GetProperty("model").GetProperty("vocab").EnumerateObject().First(entry => entry.Value.GetInt32() == id).Name;
    }
}
