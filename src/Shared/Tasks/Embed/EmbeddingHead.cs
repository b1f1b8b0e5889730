using ModernBert.Inference;
using ModernBert.Modeling;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace ModernBert.Tasks.Embed;

/// <summary>
/// What follows the encoder in a sentence-transformers chain (Pooling, then Dense modules, then Normalize), with
/// Matryoshka truncation before the normalization. Owns its Dense modules.
/// </summary>
/// <param name="PromptLength">The prompt's leading tokens ([CLS] included) that pooling leaves out; 0 when it pools them.</param>
public sealed class EmbeddingHead(SentencePooling pooling, int promptLength, IReadOnlyList<Dense> dense, bool normalize, int? dimensions)
    : IDisposable
{
    /// <summary>The width before truncation: the last Dense module's, else the pooled modes' concatenation.</summary>
    public int Width(int hiddenSize) => WidthOf(pooling, dense.Count > 0 ? dense[^1].OutFeatures : null, hiddenSize);

    /// <summary>The width before truncation of a head with <paramref name="pooling"/> whose last Dense module (if any) has <paramref name="denseOutFeatures"/>.</summary>
    public static int WidthOf(SentencePooling pooling, int? denseOutFeatures, int hiddenSize) => denseOutFeatures ?? pooling.Modes.Count * hiddenSize;

    /// <summary>The embedding's width: <see cref="Width"/>, or the truncation when given.</summary>
    public int Dimensions(int hiddenSize) => dimensions ?? Width(hiddenSize);

    public int? RequestedDimensions => dimensions;

    /// <param name="hidden">[tokens, hidden], the encoder's last hidden state.</param>
    /// <returns>[sequences, dimensions], float32.</returns>
    public Tensor Forward(Tensor hidden, UnpaddedBatch batch)
    {
        using var scope = torch.NewDisposeScope();
        Tensor embeddings = DenseModules.Apply(dense, SequencePooling.Pool(hidden, batch, pooling, promptLength));
        if (dimensions is int d && d < embeddings.shape[1])
            embeddings = embeddings.narrow(1, 0, d);
        if (normalize)
            embeddings = F.normalize(embeddings, p: 2, dim: 1);
        return embeddings.MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        foreach (Dense module in dense)
            module.Dispose();
    }
}
