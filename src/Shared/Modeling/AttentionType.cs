namespace ModernBert.Modeling;

/// <summary>The attention a layer performs: over the whole sequence, or a sliding window around each token.</summary>
public enum AttentionType
{
    FullAttention,
    SlidingAttention,
}
