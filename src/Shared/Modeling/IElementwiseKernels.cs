using static TorchSharp.torch;

namespace ModernBert.Modeling;

/// <summary>The model's elementwise chains: the rotary embedding of queries and keys, and the MLP's gated activation.</summary>
public interface IElementwiseKernels
{
    /// <param name="qkv">The fused projection, [tokens, 3, heads, head_dim].</param>
    /// <returns>Query and key, each [tokens, heads, head_dim], rotated by each token's position with this layer type's θ.</returns>
    (Tensor Query, Tensor Key) RotateQueryKey(Tensor qkv, AttentionType type, EncoderContext context);

    /// <summary>activation(first half of the last dimension) × second half: the gated linear unit of the MLP.</summary>
    Tensor GatedActivation(string activation, Tensor x);
}
