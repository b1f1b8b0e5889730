using ModernBert.Tokenization;

namespace ModernBert.Documents;

/// <summary>What is done with a pair longer than the model's window.</summary>
public enum PairOverflow
{
    /// <summary>The pair is cut to the window with <see cref="PairEncoding.Truncation"/> (Hugging Face's truncation).</summary>
    Truncate,

    /// <summary>The second text is cut into windows, each with the whole first text: one row per window.</summary>
    Window,
}

/// <summary>
/// Pairs of texts (query and passage, premise and hypothesis): encoded with the tokenizer's pair template; a pair
/// longer than the model's window is truncated with <paramref name="Truncation"/> or windowed (<paramref name="Overflow"/>).
/// A record with one text is rejected, unless <paramref name="SingleTexts"/> (then it is encoded alone).
/// </summary>
public sealed record PairEncoding(TruncationStrategy Truncation = TruncationStrategy.LongestFirst, PairOverflow Overflow = PairOverflow.Truncate,
    bool SingleTexts = false);
