using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace ModernBert.Modeling;

/// <summary>
/// Attention for any device and dtype through libtorch's scaled_dot_product_attention. Sequences of equal length
/// are attended together as one dense batch, so no padding is ever computed on; sliding-window layers over long
/// sequences attend block by block (each block of <c>window</c> queries to the three blocks around it), so their
/// cost grows with length × window rather than length².
/// </summary>
public sealed class SdpaAttentionKernel : IAttentionKernel
{
    public Tensor Attend(Tensor query, Tensor key, Tensor value, UnpaddedBatch batch, int? window)
    {
        using var scope = torch.NewDisposeScope();
        long heads = query.shape[1], headDim = query.shape[2];
        IReadOnlyList<LengthGroup> groups = batch.LengthGroups;
        if (groups.Count == 1)
        {
            LengthGroup only = groups[0];
            Tensor dense = AttendDense(Dense(query, only), Dense(key, only), Dense(value, only), window);
            return dense.transpose(1, 2).reshape(batch.TotalTokens, heads, headDim).MoveToOuterDisposeScope();
        }

        Tensor output = torch.empty_like(query);
        foreach (LengthGroup group in groups)
        {
            Tensor attended = AttendDense(
                Dense(query.index_select(0, group.TokenIndex), group),
                Dense(key.index_select(0, group.TokenIndex), group),
                Dense(value.index_select(0, group.TokenIndex), group), window);
            output.index_copy_(0, group.TokenIndex, attended.transpose(1, 2).reshape(group.Count * group.Length, heads, headDim));
        }
        return output.MoveToOuterDisposeScope();
    }

    // [count * length, heads, head_dim] -> [count, heads, length, head_dim]
    private static Tensor Dense(Tensor tokens, LengthGroup group) =>
        tokens.view(group.Count, group.Length, tokens.shape[1], tokens.shape[2]).transpose(1, 2);

    private static Tensor AttendDense(Tensor query, Tensor key, Tensor value, int? window)
    {
        long length = query.shape[2];
        if (window is not int w || length - 1 <= w)
            return F.scaled_dot_product_attention(query, key, value);
        if (length <= 3 * w)
            return F.scaled_dot_product_attention(query, key, value, BandMask(length, w, query.device));
        return AttendBlocks(query, key, value, w);
    }

    private static Tensor BandMask(long length, int window, Device device)
    {
        Tensor positions = torch.arange(length, device: device);
        return (positions.unsqueeze(1) - positions.unsqueeze(0)).abs() <= window;
    }

    // Queries in blocks of `window`; block j sees keys of blocks j-1, j, j+1, which cover every key within the window.
    private static Tensor AttendBlocks(Tensor query, Tensor key, Tensor value, int window)
    {
        long count = query.shape[0], heads = query.shape[1], length = query.shape[2], headDim = query.shape[3];
        long blocks = (length + window - 1) / window;
        long padded = blocks * window;

        Tensor queryBlocks = F.pad(query, [0, 0, 0, padded - length]).view(count, heads, blocks, window, headDim);
        Tensor Neighbourhoods(Tensor t) => F.pad(t, [0, 0, window, padded - length + window])
            .unfold(2, 3 * window, window)      // [count, heads, blocks, head_dim, 3 * window]
            .transpose(-1, -2);                 // [count, heads, blocks, 3 * window, head_dim]

        // Query r of block j sits at j*window + r, key c of its neighbourhood at (j-1)*window + c.
        Tensor row = torch.arange(window, device: query.device).view(1, window, 1);
        Tensor column = torch.arange(3 * window, device: query.device).view(1, 1, 3 * window);
        Tensor blockStart = (torch.arange(blocks, device: query.device) * window).view(blocks, 1, 1);
        Tensor keyPosition = blockStart - window + column;
        Tensor mask = (row - column + window).abs().le(window) & keyPosition.ge(0) & keyPosition.lt(length);

        Tensor attended = F.scaled_dot_product_attention(queryBlocks, Neighbourhoods(key), Neighbourhoods(value), mask);
        return attended.reshape(count, heads, padded, headDim).narrow(2, 0, length);
    }
}
