using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Modeling;

/// <summary>What every layer of one forward pass shares: the batch layout, the attention kernel and the rotary rows.</summary>
public sealed class EncoderContext : IDisposable
{
    private readonly Dictionary<AttentionType, (Tensor Cos, Tensor SignedSin)> _rotary;

    public EncoderContext(UnpaddedBatch batch, IAttentionKernel kernel, ModernBertRotaryEmbedding rotary, ScalarType dtype)
    {
        Batch = batch;
        Kernel = kernel;
        _rotary = Enum.GetValues<AttentionType>().ToDictionary(type => type, type => rotary.ForPositions(type, batch.PositionIds, dtype));
    }

    public UnpaddedBatch Batch { get; }

    public IAttentionKernel Kernel { get; }

    /// <summary>Cos and signed sin for each token, with the θ of the given attention type (see <see cref="ModernBertRotaryEmbedding"/>).</summary>
    public (Tensor Cos, Tensor SignedSin) Rotary(AttentionType type) => _rotary[type];

    public void Dispose()
    {
        foreach ((Tensor cos, Tensor signedSin) in _rotary.Values)
        {
            cos.Dispose();
            signedSin.Dispose();
        }
    }
}
