namespace ModernBert.Modeling;

/// <summary>
/// A Pooling module's config (sentence_transformers/models/Pooling.py): the modes it concatenates, in Pooling's
/// order (cls, max, mean, mean_sqrt_len_tokens, weightedmean, lasttoken), and whether the prompt's tokens are pooled.
/// </summary>
public sealed record SentencePooling(IReadOnlyList<PoolingMode> Modes, bool IncludePrompt = true)
{
    public static SentencePooling Of(PoolingMode mode) => new([mode]);

    public bool Equals(SentencePooling? other) => other is not null && Modes.SequenceEqual(other.Modes) && IncludePrompt == other.IncludePrompt;

    public override int GetHashCode() => HashCode.Combine(Modes.Count, IncludePrompt);
}
