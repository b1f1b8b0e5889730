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
    private readonly ConcurrentDictionary<(AttentionType, string, ScalarType), (Tensor Cos, Tensor Sin)> _tables = new();

    public ModernBertRotaryEmbedding(ModernBertConfig config)
    {
        _config = config;
    }

    /// <summary>The cos and sin rows of each token's position, shaped [tokens, 1, head_dim] to broadcast over heads.</summary>
    public (Tensor Cos, Tensor Sin) ForPositions(AttentionType type, Tensor positionIds, ScalarType dtype)
    {
        (Tensor cos, Tensor sin) = _tables.GetOrAdd((type, positionIds.device.ToString(), dtype),
            key => CreateTables(key.Item1, positionIds.device, dtype));
        return (cos.index_select(0, positionIds).unsqueeze(1), sin.index_select(0, positionIds).unsqueeze(1));
    }

    /// <summary>Applies the rotation to queries or keys shaped [tokens, heads, head_dim].</summary>
    public static Tensor Rotate(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = torch.NewDisposeScope();
        long half = x.shape[^1] / 2;
        Tensor rotatedHalf = torch.cat([x.narrow(-1, half, half).neg(), x.narrow(-1, 0, half)], -1);
        return (x * cos + rotatedHalf * sin).MoveToOuterDisposeScope();
    }

    private (Tensor Cos, Tensor Sin) CreateTables(AttentionType type, Device device, ScalarType dtype)
    {
        using var scope = torch.NewDisposeScope();
        int dim = _config.HeadDim;
        Tensor inverseFrequencies = 1.0 / torch.pow(_config.RopeTheta(type),
            torch.arange(0, dim, 2, ScalarType.Int64).to(ScalarType.Float32) / dim);
        Tensor positions = torch.arange(_config.MaxPositionEmbeddings, ScalarType.Float32);
        Tensor frequencies = torch.outer(positions, inverseFrequencies);
        Tensor angles = torch.cat([frequencies, frequencies], -1);
        Tensor cos = angles.cos().to(dtype, device).DetachFromDisposeScope();
        Tensor sin = angles.sin().to(dtype, device).DetachFromDisposeScope();
        return (cos, sin);
    }

    public void Dispose()
    {
        foreach ((Tensor cos, Tensor sin) in _tables.Values)
        {
            cos.Dispose();
            sin.Dispose();
        }
        _tables.Clear();
    }
}
