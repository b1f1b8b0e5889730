namespace ModernBert.Modeling;

/// <summary>How a sequence's token states become one vector: the [CLS] token's state, or the mean over its tokens.</summary>
public enum PoolingMode
{
    Cls,
    Mean,
}
