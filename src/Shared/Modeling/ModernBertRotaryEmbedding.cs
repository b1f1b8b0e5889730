using System.Collections.Concurrent;
using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Modeling;

/// <summary>
/// Rotary position embeddings (RoPE, non-interleaved halves), with one base θ per attention type. The cos/sin tables
/// for every position up to max_position_embeddings are computed once in float32 per device and dtype and kept.
/// </summary>
public sealed class ModernBertRotaryEmbedding : IDisposable
{
    private readonly ModernBertConfig _config;
    private readonly ConcurrentDictionary<(AttentionType, string, ScalarType), (Tensor Cos, Tensor SignedSin)> _tables = new();
    private readonly ConcurrentDictionary<(AttentionType, string), (Tensor Cos, Tensor Sin)> _halfTables = new();

    public ModernBertRotaryEmbedding(ModernBertConfig config)
    {
        _config = config;
    }

    /// <summary>
    /// The cos and signed sin rows of each token's position, shaped [tokens, 1, 1, head_dim] to broadcast over
    /// [tokens, query and key, heads, head_dim]. The sin table holds [-sin, sin] (see <see cref="TorchElementwiseKernels.Rotate"/>).
    /// </summary>
    public (Tensor Cos, Tensor SignedSin) ForPositions(AttentionType type, Tensor positionIds, ScalarType dtype)
    {
        (Tensor cos, Tensor signedSin) = _tables.GetOrAdd((type, positionIds.device.ToString(), dtype),
            key => CreateTables(key.Item1, positionIds.device, dtype));
        return (cos.index_select(0, positionIds).view(-1, 1, 1, cos.shape[1]),
            signedSin.index_select(0, positionIds).view(-1, 1, 1, cos.shape[1]));
    }

    /// <summary>
    /// float32 cos and sin of every position's angles, [max_position_embeddings, head_dim / 2] each: the half of the
    /// table that <see cref="NativeElementwiseKernels"/> reads for both halves of a head.
    /// </summary>
    public (Tensor Cos, Tensor Sin) HalfTables(AttentionType type, Device device) =>
        _halfTables.GetOrAdd((type, device.ToString()), key =>
        {
            using var scope = torch.NewDisposeScope();
            Tensor frequencies = Frequencies(key.Item1);
            return (frequencies.cos().to(device).DetachFromDisposeScope(), frequencies.sin().to(device).DetachFromDisposeScope());
        });

    /// <summary>[max_position_embeddings, head_dim / 2] float32: position × inverse frequency.</summary>
    private Tensor Frequencies(AttentionType type)
    {
        int dim = _config.HeadDim;
        using Scalar dimension = dim, zero = 0, two = 2, positionCount = _config.MaxPositionEmbeddings;
        Tensor inverseFrequencies = torch.pow(_config.RopeTheta(type), torch.arange(zero, dimension, two, ScalarType.Int64).to(ScalarType.Float32).div(dimension))
            .reciprocal();
        Tensor positions = torch.arange(positionCount, ScalarType.Float32);
        return torch.outer(positions, inverseFrequencies);
    }

    private (Tensor Cos, Tensor SignedSin) CreateTables(AttentionType type, Device device, ScalarType dtype)
    {
        using var scope = torch.NewDisposeScope();
        Tensor frequencies = Frequencies(type);
        Tensor cos = torch.cat([frequencies.cos(), frequencies.cos()], -1).to(dtype, device).DetachFromDisposeScope();
        Tensor signedSin = torch.cat([frequencies.sin().neg(), frequencies.sin()], -1).to(dtype, device).DetachFromDisposeScope();
        return (cos, signedSin);
    }

    public void Dispose()
    {
        foreach ((Tensor cos, Tensor signedSin) in _tables.Values.Concat(_halfTables.Values))
        {
            cos.Dispose();
            signedSin.Dispose();
        }
        _tables.Clear();
        _halfTables.Clear();
    }
}
