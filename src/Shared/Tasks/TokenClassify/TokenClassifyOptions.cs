namespace ModernBert.Tasks.TokenClassify;

/// <summary>How tokens are grouped into entities: transformers' TokenClassificationPipeline aggregation strategies.</summary>
public enum AggregationStrategy
{
    /// <summary>Every token its own entity, with its B-/I- label.</summary>
    None,

    /// <summary>Adjacent tokens of the same entity type grouped (a B- starts a new one); word pieces may disagree.</summary>
    Simple,

    /// <summary>As simple, each word labelled by its first token.</summary>
    First,

    /// <summary>As simple, each word labelled by the average of its tokens' scores.</summary>
    Average,

    /// <summary>As simple, each word labelled by its token with the highest score.</summary>
    Max,
}

/// <summary>
/// Token classification's options: the <paramref name="Aggregation"/> strategy (default simple) and the labels left
/// out of the output (<paramref name="IgnoreLabels"/>, default "O"; compared with the entity's label after grouping,
/// as the pipeline does).
/// </summary>
public sealed record TokenClassifyOptions(AggregationStrategy Aggregation = AggregationStrategy.Simple, IReadOnlyList<string>? IgnoreLabels = null)
{
    public IReadOnlyList<string> EffectiveIgnoreLabels => IgnoreLabels ?? ["O"];
}
