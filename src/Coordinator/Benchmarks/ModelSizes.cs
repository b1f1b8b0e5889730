using ModernBert.Modeling;

namespace ModernBert.Coordinator.Benchmarks;

/// <summary>ModernBERT-base and -large architectures, and a tiny one shaped like the test fixtures.</summary>
public static class ModelSizes
{
    public static IReadOnlyList<string> Names { get; } = ["tiny", "base", "large"];

    public static ModernBertConfig Config(string size) => size switch
    {
        "tiny" => Create(hidden: 64, intermediate: 96, layers: 6, heads: 4, localAttention: 16),
        "base" => Create(hidden: 768, intermediate: 1152, layers: 22, heads: 12, localAttention: 128),
        "large" => Create(hidden: 1024, intermediate: 2624, layers: 28, heads: 16, localAttention: 128),
        _ => throw new ArgumentException($"Unknown model size '{size}': use {string.Join(", ", Names)}.", nameof(size)),
    };

    private static ModernBertConfig Create(int hidden, int intermediate, int layers, int heads, int localAttention) => new()
    {
        VocabSize = 50368,
        HiddenSize = hidden,
        IntermediateSize = intermediate,
        NumHiddenLayers = layers,
        NumAttentionHeads = heads,
        LocalAttention = localAttention,
        LayerTypes = Enumerable.Range(0, layers)
            .Select(i => i % 3 == 0 ? AttentionType.FullAttention : AttentionType.SlidingAttention).ToArray(),
    };
}
