using static TorchSharp.torch;

namespace ModernBert.Modeling;

/// <summary>
/// Scaled dot-product attention over the sequences of an unpadded batch: each token attends only to tokens of its
/// own sequence, and, for sliding-window layers, only to those within <c>window</c> positions of itself; never to a
/// sequence's unattended tokens (<see cref="UnpaddedBatch.AttendedLengths"/>).
/// </summary>
public interface IAttentionKernel
{
    /// <param name="query">[tokens, heads, head_dim], rotated.</param>
    /// <param name="key">[tokens, heads, head_dim], rotated.</param>
    /// <param name="value">[tokens, heads, head_dim].</param>
    /// <param name="batch">Where each sequence starts and ends in the token stream.</param>
    /// <param name="window">Null for global attention; else the largest |i - j| a token may attend across.</param>
    /// <returns>[tokens, heads, head_dim].</returns>
    Tensor Attend(Tensor query, Tensor key, Tensor value, UnpaddedBatch batch, int? window);
}
