using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Modeling;

/// <summary>
/// CUDA attention that gives a batch whose sequences all have one length to cuDNN's dense attention, and every other
/// batch to FlashAttention-2's variable-length kernel (<see cref="FlashVarlenAttentionKernel"/>). Such a batch is a
/// [sequences, length] block with no padding at all, and on Hopper cuDNN's kernel is the faster: on an H100, 16 heads
/// of 64, it took 0.66 ms against 1.05 for 256 sequences of 512 tokens, and 9.1 ms against 13.5 for 16 of 8192.
/// Sliding-window layers go to cuDNN as a band mask while the length is at most <see cref="MaxBandLength"/>:
/// FlashAttention-2 masks every block its window touches, and at such lengths computing every pair under the mask is
/// faster (1.22 ms against 1.71 at 512); at 1024 it is not (2.21 against 1.56).
/// When cuDNN's attention does not run on the device (a probe at construction), every batch goes to FlashAttention-2.
/// </summary>
public sealed class CudnnUniformAttentionKernel : IAttentionKernel, IDisposable
{
    public const int MaxBandLength = 512;

    // TorchScript's parser wants the source to end with a newline. cuDNN returns [sequences, heads, length, head_dim]
    // laid out as [sequences, length, heads, head_dim], so the transpose back and the reshape are views.
    private const string Script = """
        def attend(query: Tensor, key: Tensor, value: Tensor, sequences: int) -> Tensor:
            tokens, heads, head_dim = query.shape
            shape = [sequences, tokens // sequences, heads, head_dim]
            outputs = torch._scaled_dot_product_cudnn_attention(query.view(shape).transpose(1, 2), key.view(shape).transpose(1, 2), value.view(shape).transpose(1, 2), None, False, 0.0, False, False)
            return outputs[0].transpose(1, 2).reshape(tokens, heads, head_dim)

        def attend_masked(query: Tensor, key: Tensor, value: Tensor, sequences: int, mask: Tensor) -> Tensor:
            tokens, heads, head_dim = query.shape
            shape = [sequences, tokens // sequences, heads, head_dim]
            outputs = torch._scaled_dot_product_cudnn_attention(query.view(shape).transpose(1, 2), key.view(shape).transpose(1, 2), value.view(shape).transpose(1, 2), mask, False, 0.0, False, False)
            return outputs[0].transpose(1, 2).reshape(tokens, heads, head_dim)

        """;

    private readonly FlashVarlenAttentionKernel _flash = new();
    private readonly torch.jit.CompilationUnit _unit = torch.jit.compile(Script);
    private readonly ConcurrentDictionary<(int Length, int Window), Tensor> _bandMasks = new();
    private readonly Device _device;
    private readonly ScalarType _dtype;

    public CudnnUniformAttentionKernel(Device device, ScalarType dtype)
    {
        _device = device;
        _dtype = dtype;
        CudnnRuns = Probe();
    }

    /// <summary>Whether cuDNN's attention ran on the device at construction; if not, every batch goes to FlashAttention-2.</summary>
    public bool CudnnRuns { get; }

    public static bool Supports(Device device, ScalarType dtype) => FlashVarlenAttentionKernel.Supports(device, dtype);

    public Tensor Attend(Tensor query, Tensor key, Tensor value, UnpaddedBatch batch, int? window)
    {
        int length = batch.MaxSequenceLength;
        bool uniform = (long)length * batch.Count == batch.TotalTokens;
        long headDim = query.shape[^1];
        if (!CudnnRuns || !uniform || headDim % 8 != 0 || headDim > 128 || (window is { } w && length > w + 1 && length > MaxBandLength))
            return _flash.Attend(query, key, value, batch, window);
        if (window is { } band && length > band + 1)
            return (Tensor)_unit.invoke("attend_masked", query, key, value, (long)batch.Count, BandMask(length, band));
        return (Tensor)_unit.invoke("attend", query, key, value, (long)batch.Count);
    }

    public void Dispose()
    {
        foreach (Tensor mask in _bandMasks.Values)
            mask.Dispose();
        _unit.Dispose();
        _flash.Dispose();
    }

    /// <summary>[1, 1, length, length]: 0 where |i - j| &lt;= window, minus infinity elsewhere; made once per length.</summary>
    private Tensor BandMask(int length, int window) => _bandMasks.GetOrAdd((length, window), key =>
    {
        using var scope = torch.NewDisposeScope();
        Tensor positions = torch.arange(key.Length, device: _device);
        Tensor distance = (positions.unsqueeze(1) - positions.unsqueeze(0)).abs();
        Tensor mask = torch.zeros([key.Length, key.Length], _dtype, _device)
            .masked_fill(distance > key.Window, double.NegativeInfinity);
        return mask.view(1, 1, key.Length, key.Length).DetachFromDisposeScope();
    });

    /// <summary>Runs cuDNN's attention once on a small batch laid out as the model's: query and key contiguous, value a view into QKV.</summary>
    private bool Probe()
    {
        try
        {
            using var scope = torch.NewDisposeScope();
            using var inference = torch.inference_mode();
            Tensor qkv = torch.randn([2 * 64, 3, 2, 64], _dtype, _device);
            Tensor query = qkv.select(1, 0).contiguous(), key = qkv.select(1, 1).contiguous();
            Tensor attended = (Tensor)_unit.invoke("attend", query, key, qkv.select(1, 2), 2L);
            return attended.shape.SequenceEqual(query.shape);
        }
        catch (ExternalException)
        {
            return false;
        }
    }
}
