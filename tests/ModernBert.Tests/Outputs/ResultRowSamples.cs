using ModernBert.Outputs;
using ModernBert.Tasks.Embed;
using ModernBert.Tasks.Classify;
using ModernBert.Tasks.Multivector;
using ModernBert.Tasks.Sparse;

namespace ModernBert.Tests.Outputs;

/// <summary>Deterministic result rows for tests, and comparisons that look inside their arrays.</summary>
internal static class ResultRowSamples
{
    public static EmbeddingRow[] Embeddings(int count, int dimensions, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i => new EmbeddingRow(Id(seed, i), i % 3, i * 10, i * 10 + 7, RandomFloats(random, dimensions)))];
    }

    public static ClassificationRow[] Classifications(int count, int labels, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            float[] scores = RandomFloats(random, labels);
            int best = Array.IndexOf(scores, scores.Max());
            return new ClassificationRow(Id(seed, i), i % 2, i * 5, i * 5 + 3, $"label_{best}", scores[best], scores, 2 * scores[best] - 1);
        })];
    }

    /// <summary>The value a float16 column gives back for <paramref name="value"/>.</summary>
    /// <summary>Sparse rows with ascending ids; one has no weights at all (an empty list).</summary>
    public static SparseRow[] Sparse(int count, int vocabulary, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            int[] ids = i == 1 ? [] : [.. Enumerable.Range(0, vocabulary).Where(_ => random.NextDouble() < 0.05)];
            return new SparseRow(Id(seed, i), i % 2, i * 4, i * 4 + 9, ids, [.. ids.Select(_ => (float)random.NextDouble() * 3)]);
        })];
    }

    /// <summary>Multi-vector rows of 0 to 6 token vectors each (one row has none).</summary>
    public static MultivectorRow[] Multivectors(int count, int dimensions, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i => new MultivectorRow(Id(seed, i), i % 2, i * 3, i * 3 + 5,
            i == 2 ? [] : [.. Enumerable.Range(0, 1 + i % 6).Select(_ => RandomFloats(random, dimensions))]))];
    }

    /// <summary>Quantized rows with values in [minimum, minimum + 255].</summary>
    public static QuantizedEmbeddingRow[] Quantized(int count, int dimensions, int minimum, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i => new QuantizedEmbeddingRow(Id(seed, i), i % 2, i, i + 4,
            [.. Enumerable.Range(0, dimensions).Select(_ => minimum + random.Next(256))]))];
    }

    public static float AsHalf(float value) => (float)(Half)value;

    public static void AssertEqual(IReadOnlyList<ResultRow> expected, IReadOnlyList<ResultRow> actual, bool halfPrecision = false)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            ResultRow e = expected[i], a = actual[i];
            Assert.Equal((e.Id, e.Chunk, e.TokenStart, e.TokenEnd), (a.Id, a.Chunk, a.TokenStart, a.TokenEnd));
            switch (e)
            {
                case EmbeddingRow embedding:
                    float[] values = halfPrecision ? [.. embedding.Embedding.Select(AsHalf)] : embedding.Embedding;
                    Assert.Equal(values, Assert.IsType<EmbeddingRow>(a).Embedding);
                    break;
                case ClassificationRow classification:
                    var actualClassification = Assert.IsType<ClassificationRow>(a);
                    Assert.Equal((classification.Label, classification.Score), (actualClassification.Label, actualClassification.Score));
                    Assert.Equal(classification.Scores, actualClassification.Scores);
                    break;
            }
        }
    }

    // Ids include non-ASCII and JSON-special characters so that every reader has to decode UTF-8 and escapes.
    private static string Id(int seed, int index) => index % 4 == 1 ? $"doc-{seed}-{index}-é\"\\ü" : $"doc-{seed}-{index}";

    private static float[] RandomFloats(Random random, int count) => [.. Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1))];
}
