using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModernBert.Modeling;

/// <summary>
/// The model's elementwise and row-wise operations: the rotary embedding of queries and keys, the MLP's gated
/// activation, and the encoder's LayerNorms.
/// </summary>
public interface IElementwiseKernels
{
    /// <param name="qkv">The fused projection, [tokens, 3, heads, head_dim].</param>
    /// <returns>Query and key, each [tokens, heads, head_dim], rotated by each token's position with this layer type's θ.</returns>
    (Tensor Query, Tensor Key) RotateQueryKey(Tensor qkv, AttentionType type, EncoderContext context);

    /// <summary>activation(first half of the last dimension) × second half: the gated linear unit of the MLP.</summary>
    Tensor GatedActivation(string activation, Tensor x);

    /// <summary><paramref name="norm"/> applied to x, [..., hidden], with the module's own parameters and epsilon.</summary>
    Tensor LayerNorm(Tensor x, LayerNorm norm);
}
