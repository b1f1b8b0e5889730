using System.Text.Json.Serialization;

namespace ModernBert.Modeling;

/// <summary>
/// How a sequence's token states become one vector, as sentence-transformers' Pooling computes each mode
/// (sentence_transformers/models/Pooling.py); classifier_pooling uses only cls and mean.
/// </summary>
public enum PoolingMode
{
    /// <summary>The first token's state ([CLS]), whatever the mask.</summary>
    Cls,
    /// <summary>The mean over the pooled tokens.</summary>
    Mean,
    /// <summary>Each dimension's maximum over the pooled tokens (-1e9 where none is pooled).</summary>
    Max,
    /// <summary>The sum over the pooled tokens divided by the square root of their count.</summary>
    MeanSqrtLenTokens,
    /// <summary>The mean weighted by the position counted from 1 at [CLS].</summary>
    [JsonStringEnumMemberName("weightedmean")]
    WeightedMean,
    /// <summary>The last pooled token's state (zeros where none is pooled).</summary>
    [JsonStringEnumMemberName("lasttoken")]
    LastToken,
}
