namespace ModernBert.Tokenization;

/// <summary>
/// A token's span in the original string: UTF-16 code units of the .NET string, [Start, End). Special tokens that a
/// template adds have (0, 0). Hugging Face <c>tokenizers</c> gives the same spans in its own units (bytes in Rust,
/// code points in the Python and Node bindings); a code point outside the BMP is two units here.
/// </summary>
public readonly record struct TokenOffset(int Start, int End);

/// <summary>
/// One encoded sequence (or pair): ids, type ids (0 for the first text, the template's for the second), offsets.
/// For a pair, <see cref="Offsets"/> of the second text's tokens index into the SECOND string (as Hugging Face does);
/// <see cref="SequenceIds"/> tells which text a token came from: 0, 1, or -1 for special tokens.
/// </summary>
public sealed record TokenEncoding(int[] Ids, int[] TypeIds, TokenOffset[] Offsets, sbyte[] SequenceIds)
{
    /// <summary>The number of tokens.</summary>
    public int Length => Ids.Length;

    /// <summary>
    /// Each token's string (the model's token, or the text an added token matched) and the text encoded: what
    /// ByteLevel's offset trimming reads. Set on a text's own encoding, before a post-processor adds tokens.
    /// </summary>
    internal (string[] Tokens, string Text)? Source { get; init; }

    /// <summary>
    /// This encoding with its offsets in code points of its texts (Python's string indices, as Hugging Face's
    /// pipelines report spans, and DuckDB's characters) instead of UTF-16 code units: they differ after a character
    /// outside the BMP (an emoji), which is one code point and two units.
    /// </summary>
    public TokenEncoding InCodePoints(string text, string? pair)
    {
        int[]? first = CodePointIndices(text), second = pair is null ? null : CodePointIndices(pair);
        if (first is null && second is null)
            return this;
        var offsets = new TokenOffset[Offsets.Length];
        for (int i = 0; i < offsets.Length; i++)
        {
            int[]? indices = SequenceIds[i] switch { 0 => first, 1 => second, _ => null };
            offsets[i] = indices is null ? Offsets[i] : new TokenOffset(indices[Offsets[i].Start], indices[Offsets[i].End]);
        }
        return this with { Offsets = offsets };
    }

    /// <summary>For each UTF-16 index of the text (its length included), the code points before it; null when they are equal.</summary>
    private static int[]? CodePointIndices(string text)
    {
        if (!text.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF'))
            return null;
        var indices = new int[text.Length + 1];
        for (int i = 0; i < text.Length; i++)
            indices[i + 1] = indices[i] + (char.IsLowSurrogate(text[i]) && i > 0 && char.IsHighSurrogate(text[i - 1]) ? 0 : 1);
        return indices;
    }
}

/// <summary>Which text of a pair loses tokens when it does not fit (Hugging Face's truncation strategies).</summary>
public enum TruncationStrategy
{
    /// <summary>Tokens are taken from the longer text until both fit (Hugging Face's default).</summary>
    LongestFirst,

    /// <summary>Only the first text is cut.</summary>
    OnlyFirst,

    /// <summary>Only the second text of a pair is cut.</summary>
    OnlySecond,
}

/// <summary>
/// Cut an encoding to at most <paramref name="MaxLength"/> tokens, special tokens included, from the end of the text(s),
/// as Hugging Face <c>tokenizers</c> truncates (direction right, no stride).
/// </summary>
public sealed record Truncation(int MaxLength, TruncationStrategy Strategy = TruncationStrategy.LongestFirst);
