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
/// cuDNN builds an execution plan for each new batch shape: a benchmark on the H100 whose last batch was one 289-token
/// sequence lost about 1.3 s to the two plans it needed (global and band-masked). So only batches of at least <see cref="MinSequences"/> sequences go
/// to it, the batches of fixed-length corpora, which come in few shapes; and only the first <see cref="MaxShapes"/>
/// shapes, so that no input stream can keep it building plans. Everything else goes to FlashAttention-2, as does
/// every batch when cuDNN's attention does not run on the device (a probe at construction), and every batch with
/// unattended tokens (which <see cref="FlashVarlenAttentionKernel"/> hands to SDPA).
/// </summary>
public sealed class CudnnUniformAttentionKernel : IAttentionKernel, IDisposable
{
    public const int MaxBandLength = 512;
    public const int MinSequences = 8;
    public const int MaxShapes = 32;

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
    // Lazy, so that two batches racing for a new mask make it once and no mask is left undisposed.
    private readonly ConcurrentDictionary<(int Length, int Window), Lazy<Tensor>> _bandMasks = new();
    private readonly ConcurrentDictionary<(int Sequences, int Length), bool> _shapes = new();
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
        CudnnRoute route = CudnnRuns ? RouteOf(batch, query.shape[^1], window) : CudnnRoute.Flash;
        if (route == CudnnRoute.Flash || !Planned(batch.Count, batch.MaxSequenceLength))
            return _flash.Attend(query, key, value, batch, window);
        return route == CudnnRoute.Band
            ? (Tensor)_unit.invoke("attend_masked", query, key, value, (long)batch.Count, BandMask(batch.MaxSequenceLength, window!.Value))
            : (Tensor)_unit.invoke("attend", query, key, value, (long)batch.Count);
    }

    /// <summary>Where a batch's attention goes when cuDNN runs and has room for the batch's shape.</summary>
    public static CudnnRoute RouteOf(UnpaddedBatch batch, long headDim, int? window)
    {
        int length = batch.MaxSequenceLength;
        bool uniform = (long)length * batch.Count == batch.TotalTokens;
        // A batch with unattended tokens needs a key mask, which the flash kernel gives to SDPA.
        if (!uniform || batch.AttendedLengths is not null || batch.Count < MinSequences || headDim % 8 != 0 || headDim > 128)
            return CudnnRoute.Flash;
        if (window is not { } band || length <= band + 1)
            return CudnnRoute.Dense;
        return length <= MaxBandLength ? CudnnRoute.Band : CudnnRoute.Flash;
    }

    public void Dispose()
    {
        foreach (Lazy<Tensor> mask in _bandMasks.Values.Where(mask => mask.IsValueCreated))
            mask.Value.Dispose();
        _unit.Dispose();
        _flash.Dispose();
    }

    /// <summary>Whether the shape is one cuDNN has a plan for, or may still make one for.</summary>
    private bool Planned(int sequences, int length) =>
        _shapes.ContainsKey((sequences, length)) || (_shapes.Count < MaxShapes && _shapes.TryAdd((sequences, length), true));

    /// <summary>The band mask of <see cref="MakeBandMask"/>, made once per length and window.</summary>
    private Tensor BandMask(int length, int window) =>
        _bandMasks.GetOrAdd((length, window), key => new Lazy<Tensor>(() => MakeBandMask(key.Length, key.Window, _dtype, _device))).Value;

    /// <summary>[1, 1, length, length]: 0 where |i - j| &lt;= window, minus infinity elsewhere.</summary>
    internal static Tensor MakeBandMask(int length, int window, ScalarType dtype, Device device)
    {
        using var scope = torch.NewDisposeScope();
        using Scalar stop = length, windowScalar = window, negativeInfinity = double.NegativeInfinity;
        Tensor positions = torch.arange(stop, device: device);
        Tensor distance = (positions.unsqueeze(1) - positions.unsqueeze(0)).abs();
        Tensor mask = torch.zeros([length, length], dtype, device).masked_fill(distance.gt(windowScalar), negativeInfinity);
        return mask.view(1, 1, length, length).DetachFromDisposeScope();
    }

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

/// <summary>FlashAttention-2; cuDNN's dense attention; or cuDNN's with a band mask, for sliding-window layers.</summary>
public enum CudnnRoute
{
    Flash,
    Dense,
    Band,
}
