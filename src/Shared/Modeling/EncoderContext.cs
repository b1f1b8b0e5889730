using static TorchSharp.torch;

namespace ModernBert.Modeling;

/// <summary>What every layer of one forward pass shares: the batch layout, the kernels and the rotary embedding.</summary>
public sealed class EncoderContext : IDisposable
{
    private readonly Dictionary<AttentionType, (Tensor Cos, Tensor SignedSin)> _rotaryRows = [];
    private readonly ScalarType _dtype;

    public EncoderContext(UnpaddedBatch batch, IAttentionKernel kernel, IElementwiseKernels elementwise, ModernBertRotaryEmbedding rotary, ScalarType dtype)
    {
        Batch = batch;
        Kernel = kernel;
        Elementwise = elementwise;
        Rotary = rotary;
        _dtype = dtype;
    }

    public UnpaddedBatch Batch { get; }

    public IAttentionKernel Kernel { get; }

    public IElementwiseKernels Elementwise { get; }

    public ModernBertRotaryEmbedding Rotary { get; }

    /// <summary>
    /// Cos and signed sin for each token of the batch, with the θ of the given attention type (see
    /// <see cref="ModernBertRotaryEmbedding.ForPositions"/>); gathered on first use, then shared by the layers of that type.
    /// </summary>
    public (Tensor Cos, Tensor SignedSin) RotaryRows(AttentionType type)
    {
        if (!_rotaryRows.TryGetValue(type, out (Tensor Cos, Tensor SignedSin) rows))
        {
            rows = Rotary.ForPositions(type, Batch.PositionIds, _dtype);
            rows.Cos.DetachFromDisposeScope();
            rows.SignedSin.DetachFromDisposeScope();
            _rotaryRows[type] = rows;
        }
        return rows;
    }

    public void Dispose()
    {
        foreach ((Tensor cos, Tensor signedSin) in _rotaryRows.Values)
        {
            cos.Dispose();
            signedSin.Dispose();
        }
    }
}
