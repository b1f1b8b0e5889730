using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace ModernBert.Modeling;

/// <summary>
/// Attention for any device and dtype through libtorch's scaled_dot_product_attention. Sequences of equal length
/// are attended together as one dense batch, so no padding is ever computed on. Sliding-window layers use a band
/// mask up to <see cref="DenseBandLimit"/> tokens; beyond, they attend block by block (each block of queries to the
/// keys within the window of it), so their cost grows with length × window rather than length².
/// A group with unattended tokens (<see cref="UnpaddedBatch.AttendedLengths"/>) attends densely with its key mask.
/// A group attends in calls of at most <see cref="TokensPerCall"/> tokens, so that a batch's peak memory follows its
/// token count and not how many of its sequences share a length.
/// </summary>
/// <param name="tokensPerCall">
/// Tokens attended in one call, at least one sequence: a call's temporaries (the block layout's padded copies, about
/// ten times the call's queries; a masked group's additive mask) grow with it. The default holds two 8192-token windows.
/// </param>
public sealed class SdpaAttentionKernel(int tokensPerCall = SdpaAttentionKernel.DefaultTokensPerCall) : IAttentionKernel
{
    public const int DefaultTokensPerCall = 16384;

    /// <summary>
    /// Up to this length a band-masked dense attention is cheaper than the block layout's copies (measured on the
    /// CPU: at 512 tokens and a ±64 window, 0.3 s against 0.9 s per 131k tokens; about even near 1,500).
    /// </summary>
    public const int DenseBandLimit = 2048;

    private const int MinimumBlock = 16;

    public int TokensPerCall { get; } = tokensPerCall > 0 ? tokensPerCall : throw new ArgumentOutOfRangeException(nameof(tokensPerCall));

    public Tensor Attend(Tensor query, Tensor key, Tensor value, UnpaddedBatch batch, int? window)
    {
        using var scope = torch.NewDisposeScope();
        long heads = query.shape[1], headDim = query.shape[2];
        IReadOnlyList<LengthGroup> groups = batch.LengthGroups;
        if (groups.Count == 1 && (long)groups[0].Count * groups[0].Length <= TokensPerCall)
        {
            LengthGroup only = groups[0];
            Tensor dense = AttendDense(Dense(query, only.Count, only.Length), Dense(key, only.Count, only.Length),
                Dense(value, only.Count, only.Length), window, only.KeyMask);
            return dense.transpose(1, 2).reshape(batch.TotalTokens, heads, headDim).MoveToOuterDisposeScope();
        }

        Tensor output = torch.empty_like(query);
        foreach (LengthGroup group in groups)
        {
            int perCall = Math.Max(1, TokensPerCall / group.Length);
            for (int first = 0; first < group.Count; first += perCall)
            {
                // Each call's temporaries (a band mask alone is length² int32) are freed before the next call's: a batch of
                // many lengths would otherwise hold them all until the layer ends, gigabytes for 131k tokens.
                using var callScope = torch.NewDisposeScope();
                int count = Math.Min(perCall, group.Count - first);
                Tensor tokens = group.TokenIndex.narrow(0, (long)first * group.Length, (long)count * group.Length);
                Tensor attended = AttendDense(
                    Dense(query.index_select(0, tokens), count, group.Length),
                    Dense(key.index_select(0, tokens), count, group.Length),
                    Dense(value.index_select(0, tokens), count, group.Length), window, group.KeyMask?.narrow(0, first, count));
                output.index_copy_(0, tokens, attended.transpose(1, 2).reshape((long)count * group.Length, heads, headDim));
            }
        }
        return output.MoveToOuterDisposeScope();
    }

    // [count * length, heads, head_dim] -> [count, heads, length, head_dim]
    private static Tensor Dense(Tensor tokens, int count, int length) =>
        tokens.view(count, length, tokens.shape[1], tokens.shape[2]).transpose(1, 2);

    private static Tensor AttendDense(Tensor query, Tensor key, Tensor value, int? window, Tensor? keyMask)
    {
        long length = query.shape[2];
        if (keyMask is not null)
            return F.scaled_dot_product_attention(query, key, value, AdditiveMask(keyMask, length, window, query.dtype));
        if (window is not int w || length - 1 <= w)
            return F.scaled_dot_product_attention(query, key, value);
        if (length <= DenseBandLimit)
            return F.scaled_dot_product_attention(query, key, value, BandMask(length, w, query.device));
        return AttendBlocks(query, key, value, w, Math.Max(w, MinimumBlock));
    }

    /// <summary>
    /// [count, 1, length, length]: 0 where the key is attended (and, with a window, within it), finfo(dtype).min
    /// elsewhere, as Hugging Face's ModernBERT masks padding for its sdpa and eager attention (ModernBertModel.
    /// _update_attention_mask in transformers' models/modernbert/modeling_modernbert.py, which PyLate runs): a token
    /// left with no key in its window, an unattended one farther than the window from every attended token, then
    /// weighs all the keys of its sequence alike there, and the same additive mask gives the same output here.
    /// </summary>
    private static Tensor AdditiveMask(Tensor keyMask, long length, int? window, ScalarType dtype)
    {
        Tensor attended = window is int w && length - 1 > w ? keyMask & BandMask(length, w, keyMask.device) : keyMask.expand(-1, -1, length, -1);
        using Scalar minimum = torch.finfo(dtype).min;
        return torch.zeros(attended.shape, dtype, keyMask.device).masked_fill_(attended.logical_not(), minimum);
    }

    private static Tensor BandMask(long length, int window, Device device)
    {
        using Scalar stop = length, windowScalar = window;
        Tensor positions = torch.arange(stop, dtype: ScalarType.Int32, device: device);
        return (positions.unsqueeze(1) - positions.unsqueeze(0)).abs_().le(windowScalar);
    }

    // Queries in blocks of `block` (at least the window); a block attends to the keys from `window` before its first
    // query to `window` after its last, which cover every key within the window of each of its queries. Blocks become
    // the batch dimension, so that libtorch's fused attention kernels take them as ordinary 4-D inputs.
    private static Tensor AttendBlocks(Tensor query, Tensor key, Tensor value, int window, int block)
    {
        long count = query.shape[0], heads = query.shape[1], length = query.shape[2], headDim = query.shape[3];
        long blocks = (length + block - 1) / block;
        long padded = blocks * block;
        int span = block + 2 * window;

        Tensor queryBlocks = F.pad(query, [0, 0, 0, padded - length]).view(count, heads, blocks, block, headDim)
            .transpose(1, 2).reshape(count * blocks, heads, block, headDim);
        Tensor Neighbourhoods(Tensor t) => F.pad(t, [0, 0, window, padded - length + window])
            .unfold(2, span, block)            // [count, heads, blocks, head_dim, span]
            .permute(0, 2, 1, 4, 3)            // [count, blocks, heads, span, head_dim]
            .reshape(count * blocks, heads, span, headDim);

        // Query r of block j sits at j*block + r, key c of its neighbourhood at j*block - window + c.
        using Scalar blockScalar = block, spanScalar = span, blocksScalar = blocks, windowScalar = window, zero = 0, lengthScalar = length;
        Tensor row = torch.arange(blockScalar, device: query.device).view(1, block, 1);
        Tensor column = torch.arange(spanScalar, device: query.device).view(1, 1, span);
        Tensor keyPosition = torch.arange(blocksScalar, device: query.device).mul(blockScalar).view(blocks, 1, 1).sub(windowScalar) + column;
        Tensor mask = ((row - column).add(windowScalar).abs().le(windowScalar) & keyPosition.ge(zero) & keyPosition.lt(lengthScalar))
            .unsqueeze(1).repeat(count, 1, 1, 1);

        Tensor attended = F.scaled_dot_product_attention(queryBlocks, Neighbourhoods(key), Neighbourhoods(value), mask);
        return attended.view(count, blocks, heads, block, headDim).transpose(1, 2).reshape(count, heads, padded, headDim)
            .narrow(2, 0, length);
    }
}
