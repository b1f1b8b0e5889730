using System.Text;
using System.Text.Json;
using ModernBert.Tokenization;

namespace ModernBert.Coordinator.Benchmarks;

/// <summary>
/// Benchmark corpora as JSON Lines (<c>{"id": "doc-N", ...}</c>) whose documents have given token lengths, [CLS] and
/// [SEP] included: English-like text (<see cref="EnglishLikeCorpus"/>, words per document from the tokens a word takes
/// with the tokenizer, so lengths come out about right), or pre-tokenized random ids. Written as they are made, so
/// that a corpus of millions of documents takes no memory.
/// </summary>
public static class SyntheticCorpus
{
    /// <summary>Writes one <c>{"id", "text"}</c> per length; returns the bytes written.</summary>
    public static long WriteText(string path, ModernBertTokenizer tokenizer, IEnumerable<int> lengths)
    {
        IReadOnlyList<string> sample = EnglishLikeCorpus.Generate(Enumerable.Repeat(1000, 8).ToArray(), seed: 7);
        double tokensPerWord = sample.Average(text => tokenizer.EncodeWithoutSpecialTokens(text).Length) / 1000.0;
        IEnumerable<int> words = lengths.Select(length => Math.Max(1, (int)((length - 2) / tokensPerWord * 0.97)));
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        using var writer = new Utf8JsonWriter(stream);
        long id = 0;
        foreach (string text in EnglishLikeCorpus.Enumerate(words, seed: 11))
        {
            writer.WriteStartObject();
            writer.WriteString("id", $"doc-{id++}");
            writer.WriteString("text", text);
            writer.WriteEndObject();
            EndLine(writer, stream);
        }
        writer.Flush();
        return stream.Length;
    }

    /// <summary>
    /// Writes one <c>{"id", "input_ids"}</c> per length: [CLS], random ids below <paramref name="vocabularySize"/> - 100
    /// (clear of the special tokens at the top of ModernBERT's vocabulary), [SEP]. Returns the bytes written.
    /// </summary>
    public static long WriteTokenIds(string path, ModernBertTokenizer tokenizer, int vocabularySize, IEnumerable<int> lengths, int seed)
    {
        var random = new Random(seed);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        using var writer = new Utf8JsonWriter(stream);
        long id = 0;
        foreach (int length in lengths)
        {
            writer.WriteStartObject();
            writer.WriteString("id", $"doc-{id++}");
            writer.WriteStartArray("input_ids");
            writer.WriteNumberValue(tokenizer.ClsTokenId);
            for (int i = 2; i < length; i++)
                writer.WriteNumberValue(random.Next(5, vocabularySize - 100));
            writer.WriteNumberValue(tokenizer.SepTokenId);
            writer.WriteEndArray();
            writer.WriteEndObject();
            EndLine(writer, stream);
        }
        writer.Flush();
        return stream.Length;
    }

    private static void EndLine(Utf8JsonWriter writer, Stream stream)
    {
        writer.Flush();
        stream.WriteByte((byte)'\n');
        writer.Reset();
    }
}
