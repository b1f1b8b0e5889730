namespace ModernBert.Tokenization;

/// <summary>
/// Hugging Face's <c>truncate_encodings</c> (tokenizers/src/utils/truncation.rs), direction right, stride 0: cuts
/// the texts' encodings (before special tokens are added) to <c>maxLength</c> tokens together.
/// </summary>
internal static class EncodingTruncation
{
    /// <exception cref="ArgumentException">
    /// OnlySecond without a second text, or the text to cut is not longer than what has to go (tokenizers' errors).
    /// </exception>
    public static (TokenEncoding First, TokenEncoding? Second) Truncate(
        TokenEncoding first, TokenEncoding? second, int maxLength, TruncationStrategy strategy)
    {
        if (maxLength == 0)
            return (Keep(first, 0), second is null ? null : Keep(second, 0));
        int total = first.Length + (second?.Length ?? 0);
        if (total <= maxLength)
            return (first, second);
        int toRemove = total - maxLength;
        switch (strategy)
        {
            case TruncationStrategy.LongestFirst when second is not null:
            {
                int n1 = first.Length;
                int n2 = second.Length;
                bool swap = n1 > n2;
                if (swap)
                    (n1, n2) = (n2, n1);
                n2 = Math.Max(n1, maxLength - n1);
                if (n1 + n2 > maxLength)
                {
                    n1 = maxLength / 2;
                    n2 = n1 + maxLength % 2;
                }
                if (swap)
                    (n1, n2) = (n2, n1);
                return (Keep(first, n1), Keep(second, n2));
            }
            case TruncationStrategy.LongestFirst:
                return (Keep(first, total - toRemove), null);
            case TruncationStrategy.OnlyFirst:
                return (CutTarget(first, toRemove), second);
            default:
                if (second is null)
                    throw new ArgumentException("Truncation only_second needs a second text.", nameof(strategy));
                return (first, CutTarget(second, toRemove));
        }
    }

    private static TokenEncoding CutTarget(TokenEncoding target, int toRemove)
        => target.Length > toRemove
            ? Keep(target, target.Length - toRemove)
            : throw new ArgumentException(
                $"The sequence to truncate has {target.Length} tokens, too few to remove the {toRemove} over the maximum length.");

    private static TokenEncoding Keep(TokenEncoding encoding, int length)
        => length >= encoding.Length
            ? encoding
            : new TokenEncoding(encoding.Ids[..length], encoding.TypeIds[..length], encoding.Offsets[..length], encoding.SequenceIds[..length])
            {
                Source = encoding.Source is { } source ? (source.Tokens[..length], source.Text) : null,
            };
}
