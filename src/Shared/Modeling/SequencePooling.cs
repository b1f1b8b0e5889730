using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Modeling;

/// <summary>
/// Pools the unpadded last hidden state per sequence, without padding it back to a rectangle, as
/// sentence-transformers' Pooling.forward does on the padded one (sentence_transformers/models/Pooling.py).
/// </summary>
public static class SequencePooling
{
    /// <param name="hidden">[tokens, hidden].</param>
    /// <returns>[sequences, hidden], in float32 (sums are accumulated in float32 whatever the model's dtype).</returns>
    public static Tensor Pool(Tensor hidden, UnpaddedBatch batch, PoolingMode mode) => Pool(hidden, batch, SentencePooling.Of(mode), 0);

    /// <param name="hidden">[tokens, hidden].</param>
    /// <param name="promptLength">
    /// The leading tokens of every sequence that the prompt takes ([CLS] included), as SentenceTransformer.encode's
    /// prompt_length: when <see cref="SentencePooling.IncludePrompt"/> is false they are masked out of every mode but cls.
    /// </param>
    /// <returns>[sequences, modes x hidden], float32, the modes concatenated in <see cref="SentencePooling.Modes"/>' order.</returns>
    public static Tensor Pool(Tensor hidden, UnpaddedBatch batch, SentencePooling pooling, int promptLength)
    {
        using var scope = torch.NewDisposeScope();
        using Scalar one = 1, alpha = 1.0, smallest = 1e-9, zero = 0, prompt = promptLength;
        Tensor states = hidden.to(ScalarType.Float32);
        Tensor sequences = batch.SequenceIndex;
        long count = batch.Count, width = hidden.shape[1];
        Tensor mask = !pooling.IncludePrompt && promptLength > 0
            ? batch.PositionIds.ge(prompt).to(ScalarType.Float32)
            : torch.ones(states.shape[0], ScalarType.Float32, states.device);
        Tensor Sum(Tensor values) => torch.zeros(count, values.dim() == 1 ? 1 : width, ScalarType.Float32, states.device)
            .index_add_(0, sequences, values.dim() == 1 ? values.unsqueeze(1) : values, alpha);
        Tensor pooledTokens = Sum(mask);
        Tensor ends = batch.CumulativeLengths.narrow(0, 1, count).to(ScalarType.Int64).sub(one);

        var vectors = new List<Tensor>();
        foreach (PoolingMode mode in pooling.Modes)
        {
            vectors.Add(mode switch
            {
                PoolingMode.Cls => states.index_select(0, batch.CumulativeLengths.narrow(0, 0, count)),
                PoolingMode.Max => SegmentMax(torch.where(mask.unsqueeze(1).gt(zero), states, torch.tensor(-1e9f, device: states.device)), batch),
                PoolingMode.Mean => Sum(states * mask.unsqueeze(1)) / pooledTokens.clamp_min(smallest),
                PoolingMode.MeanSqrtLenTokens => Sum(states * mask.unsqueeze(1)) / pooledTokens.clamp_min(smallest).sqrt(),
                PoolingMode.WeightedMean => WeightedMean(states, batch, mask, Sum),
                // The last pooled token: the sequence's last unless none is pooled (prompts mask leading tokens only).
                PoolingMode.LastToken => states.index_select(0, ends) * pooledTokens.gt(zero).to(ScalarType.Float32),
                _ => throw new ArgumentOutOfRangeException(nameof(pooling), mode, null),
            });
        }
        return (vectors.Count == 1 ? vectors[0] : torch.cat(vectors, 1)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Each sequence's maximum of <paramref name="values"/> [tokens, width] per column: the values laid out in a
    /// [sequences, longest, width] rectangle filled with -inf, then its maximum over the middle dimension.
    /// </summary>
    public static Tensor SegmentMax(Tensor values, UnpaddedBatch batch)
    {
        using var scope = torch.NewDisposeScope();
        long longest = batch.MaxSequenceLength, width = values.shape[1];
        using Scalar longestScalar = longest, negativeInfinity = float.NegativeInfinity;
        Tensor slots = batch.SequenceIndex.mul(longestScalar) + batch.PositionIds;
        Tensor rectangle = torch.full(batch.Count * longest, width, negativeInfinity, values.dtype, values.device)
            .index_copy_(0, slots, values);
        return rectangle.view(batch.Count, longest, width).amax([1]).MoveToOuterDisposeScope();
    }

    /// <summary>Weights are the positions counted from 1 at [CLS], as Pooling's torch.arange(1, seq_len + 1).</summary>
    private static Tensor WeightedMean(Tensor states, UnpaddedBatch batch, Tensor mask, Func<Tensor, Tensor> sum)
    {
        using Scalar one = 1, smallest = 1e-9;
        Tensor weights = batch.PositionIds.to(ScalarType.Float32).add(one) * mask;
        return sum(states * weights.unsqueeze(1)) / sum(weights).clamp_min(smallest);
    }
}
