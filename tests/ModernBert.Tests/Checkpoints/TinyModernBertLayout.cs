namespace ModernBert.Tests.Checkpoints;

/// <summary>
/// Parameter names and shapes of the tiny fixture models (hidden 64, 6 layers, intermediate 96, vocab 50368, layer 0
/// without an attention norm), written from their config rather than read from the checkpoint.
/// </summary>
internal static class TinyModernBertLayout
{
    private const int Hidden = 64;
    private const int Intermediate = 96;
    private const int Layers = 6;
    private const int Vocabulary = 50368;
    private const int Labels = 3;

    /// <summary>The bare encoder, as ModernBertModel names it.</summary>
    public static IEnumerable<(string Name, long[] Shape)> Encoder()
    {
        yield return ("embeddings.tok_embeddings.weight", [Vocabulary, Hidden]);
        yield return ("embeddings.norm.weight", [Hidden]);
        for (int layer = 0; layer < Layers; layer++)
        {
            if (layer > 0)
                yield return ($"layers.{layer}.attn_norm.weight", [Hidden]);
            yield return ($"layers.{layer}.attn.Wqkv.weight", [3 * Hidden, Hidden]);
            yield return ($"layers.{layer}.attn.Wo.weight", [Hidden, Hidden]);
            yield return ($"layers.{layer}.mlp_norm.weight", [Hidden]);
            yield return ($"layers.{layer}.mlp.Wi.weight", [2 * Intermediate, Hidden]);
            yield return ($"layers.{layer}.mlp.Wo.weight", [Hidden, Intermediate]);
        }
        yield return ("final_norm.weight", [Hidden]);
    }

    /// <summary>ModernBertForSequenceClassification: the encoder under <c>model.</c>, the head and the classifier.</summary>
    public static IEnumerable<(string Name, long[] Shape)> Classifier() =>
        Encoder().Select(parameter => ("model." + parameter.Name, parameter.Shape)).Concat(
        [
            ("head.dense.weight", [Hidden, Hidden]),
            ("head.norm.weight", [Hidden]),
            ("classifier.weight", [Labels, Hidden]),
            ("classifier.bias", [Labels]),
        ]);
}
