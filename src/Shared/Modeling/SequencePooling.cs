using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Modeling;

/// <summary>Pools the unpadded last hidden state per sequence, without padding it back to a rectangle.</summary>
public static class SequencePooling
{
    /// <param name="hidden">[tokens, hidden].</param>
    /// <returns>[sequences, hidden], in float32 (means are accumulated in float32 whatever the model's dtype).</returns>
    public static Tensor Pool(Tensor hidden, UnpaddedBatch batch, PoolingMode mode)
    {
        using var scope = torch.NewDisposeScope();
        Tensor pooled = mode switch
        {
            PoolingMode.Cls => hidden.index_select(0, batch.CumulativeLengths.narrow(0, 0, batch.Count)).to(ScalarType.Float32),
            PoolingMode.Mean => torch.zeros(batch.Count, hidden.shape[1], ScalarType.Float32, hidden.device)
                .index_add_(0, batch.SequenceIndex, hidden.to(ScalarType.Float32), 1.0)
                .div_(SequenceLengths(batch).unsqueeze(1)),
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
        };
        return pooled.MoveToOuterDisposeScope();
    }

    private static Tensor SequenceLengths(UnpaddedBatch batch)
    {
        Tensor offsets = batch.CumulativeLengths.to(ScalarType.Float32);
        return offsets.narrow(0, 1, batch.Count) - offsets.narrow(0, 0, batch.Count);
    }
}
