using System.Text;

namespace ModernBert.Coordinator.Benchmarks;

/// <summary>
/// Deterministic English-like documents for benchmarks: sentences of common words drawn with a Zipf-like skew,
/// some rarer long words, numbers, punctuation, quotes and paragraphs. The same seed gives the same corpus.
/// </summary>
internal static class EnglishLikeCorpus
{
    private static readonly string[] CommonWords =
    [
        "the", "of", "and", "to", "a", "in", "is", "that", "for", "it", "as", "was", "with", "be", "by", "on", "not",
        "he", "this", "are", "or", "his", "from", "at", "which", "but", "have", "an", "had", "they", "you", "were",
        "their", "one", "all", "we", "can", "her", "has", "there", "been", "if", "more", "when", "will", "would",
        "who", "so", "no", "she", "other", "its", "may", "these", "what", "them", "than", "some", "him", "time",
        "into", "only", "do", "could", "new", "about", "two", "first", "then", "also", "any", "like", "our", "such",
        "people", "over", "years", "way", "most", "after", "between", "many", "where", "those", "before", "work",
        "model", "data", "world", "system", "language", "number", "example", "government", "research", "water",
        "during", "because", "through", "important", "without", "another", "however", "several", "against", "city",
    ];

    private static readonly string[] RareWords =
    [
        "tokenization", "photosynthesis", "infrastructure", "unbelievably", "Mediterranean", "parliamentary",
        "electroencephalography", "jurisprudence", "thermodynamics", "cryptocurrency", "neighbourhood",
        "misunderstanding", "characteristically", "Kubernetes", "transformer", "embeddings", "Shakespearean",
        "biodiversity", "counterintuitive", "extraordinarily", "microprocessor", "anthropological",
    ];

    /// <summary><paramref name="count"/> documents of 20 to 1,000 words.</summary>
    public static IReadOnlyList<string> Generate(int count, int seed = 20240601)
    {
        var random = new Random(seed);
        return Generate(Enumerable.Range(0, count).Select(_ => random.Next(20, 1001)).ToArray(), seed);
    }

    /// <summary>One document per entry of <paramref name="wordCounts"/>, of that many words.</summary>
    public static IReadOnlyList<string> Generate(IReadOnlyList<int> wordCounts, int seed) => [.. Enumerate(wordCounts, seed)];

    /// <summary>One document per entry of <paramref name="wordCounts"/>, of that many words, made as they are read.</summary>
    public static IEnumerable<string> Enumerate(IEnumerable<int> wordCounts, int seed)
    {
        var random = new Random(seed);
        var builder = new StringBuilder();
        foreach (int count in wordCounts)
        {
            builder.Clear();
            int words = count;
            while (words > 0)
                words -= AppendSentence(builder, random, Math.Min(words, random.Next(4, 30)));
            yield return builder.ToString();
        }
    }

    private static int AppendSentence(StringBuilder builder, Random random, int words)
    {
        if (builder.Length > 0)
            builder.Append(random.Next(8) == 0 ? "\n\n" : " ");
        bool quoted = random.Next(12) == 0;
        if (quoted)
            builder.Append('"');
        for (int w = 0; w < words; w++)
        {
            if (w > 0)
                builder.Append(random.Next(10) == 0 ? ", " : " ");
            string word = NextWord(random);
            builder.Append(w == 0 ? char.ToUpperInvariant(word[0]) + word[1..] : word);
        }
        builder.Append(random.Next(10) switch { 0 => '?', 1 => '!', _ => '.' });
        if (quoted)
            builder.Append('"');
        return words;
    }

    private static string NextWord(Random random)
    {
        int kind = random.Next(100);
        if (kind < 3)
            return random.Next(10) == 0 ? $"{random.Next(1, 100)}.{random.Next(10)}%" : random.Next(1, 3000).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (kind < 10)
            return RareWords[random.Next(RareWords.Length)];
        // Zipf-like: the square of a uniform draw favours the first (most common) words.
        double uniform = random.NextDouble();
        return CommonWords[(int)(uniform * uniform * CommonWords.Length)];
    }
}
