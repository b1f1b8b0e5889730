using System.Collections.Concurrent;
using System.Reflection;
using ModernBert.Cuda;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModernBert.Modeling;

/// <summary>
/// The elementwise chains and LayerNorms as CUDA kernels of our own (Cuda/FusedKernels.cu), compiled by NVRTC for
/// the GPU at hand: one read and one write of each value, whatever the batch's shape. TorchScript's fused kernels
/// match them only for shapes they were specialized to, and a worker sees a new token count with nearly every batch.
/// The rotary kernel also reads each token's angles straight from the position table, so no per-batch rows are
/// gathered; the LayerNorm holds a row in one warp's registers. Shapes the kernels do not take (head_dim not a
/// multiple of 16, intermediate or hidden size not a multiple of 8, hidden size over 2048) go to
/// <see cref="TorchElementwiseKernels"/>.
/// </summary>
public sealed class NativeElementwiseKernels : IElementwiseKernels
{
    private const uint ThreadsPerBlock = 256;
    private const int LayerNormWidthPerVector = 32 * 8; // a warp's lanes × the values in one 16-byte vector
    private const int MaxLayerNormVectors = 8; // the widest of FusedKernels.cu's layer_norm_N entries
    private static readonly ConcurrentDictionary<(int Device, ScalarType Dtype), Lazy<NativeElementwiseKernels>> Compiled = new();

    private readonly IKernelLauncher _launcher;
    private readonly ScalarType _dtype;

    /// <param name="launcher">Runs the kernels of <see cref="KernelSource"/> compiled for <paramref name="dtype"/>.</param>
    public NativeElementwiseKernels(IKernelLauncher launcher, ScalarType dtype)
    {
        if (!IsHalfPrecision(dtype))
            throw new ArgumentException($"The native kernels take bf16 or fp16, not {dtype}.", nameof(dtype));
        _launcher = launcher;
        _dtype = dtype;
    }

    /// <summary>The kernels, written against the primitives of a prelude (<see cref="DevicePrelude"/> on a GPU).</summary>
    public static string KernelSource { get; } = ReadResource("FusedKernels.cu");

    /// <summary>16-bit conversions with the GPU's own instructions, and the warp sum, for NVRTC.</summary>
    public static string DevicePrelude { get; } = ReadResource("DevicePrelude.cuh");

    /// <summary>What NVRTC compiles: the kernels behind <see cref="DevicePrelude"/>, with the kernels' own line numbers.</summary>
    public static string DeviceSource { get; } = DevicePrelude + "\n#line 1 \"FusedKernels.cu\"\n" + KernelSource;

    public static bool Supports(Device device, ScalarType dtype) => device.type == DeviceType.CUDA && IsHalfPrecision(dtype);

    /// <summary>The kernels for a CUDA device and dtype, compiled on first use and kept for the life of the process.</summary>
    /// <exception cref="CudaException">NVRTC is missing, or the compilation or the module load failed.</exception>
    public static NativeElementwiseKernels ForDevice(Device device, ScalarType dtype)
    {
        if (!Supports(device, dtype))
            throw new ArgumentException($"The native kernels need a CUDA device and bf16 or fp16, not {device.type} with {dtype}.");
        int index = Math.Max(0, (int)device.index);
        Lazy<NativeElementwiseKernels> kernels = Compiled.GetOrAdd((index, dtype), key => new Lazy<NativeElementwiseKernels>(() =>
            new NativeElementwiseKernels(CudaKernelModule.Compile(key.Device, DeviceSource, "FusedKernels.cu",
                CompileOptions(key.Dtype)), key.Dtype)));
        try
        {
            return kernels.Value;
        }
        catch
        {
            Compiled.TryRemove(new KeyValuePair<(int, ScalarType), Lazy<NativeElementwiseKernels>>((index, dtype), kernels));
            throw;
        }
    }

    /// <summary>The preprocessor switch that picks the 16-bit format.</summary>
    public static IReadOnlyList<string> CompileOptions(ScalarType dtype) => [$"-DIS_BF16={(dtype == ScalarType.BFloat16 ? 1 : 0)}"];

    public (Tensor Query, Tensor Key) RotateQueryKey(Tensor qkv, AttentionType type, EncoderContext context)
    {
        long tokens = qkv.shape[0], heads = qkv.shape[2], headDim = qkv.shape[3];
        if (headDim % 16 != 0)
            return TorchElementwiseKernels.Instance.RotateQueryKey(qkv, type, context);
        KernelArgument input = Input(qkv, nameof(qkv));
        (Tensor cos, Tensor sin) = context.Rotary.HalfTables(type, qkv.device);
        if (context.Batch.MaxSequenceLength > cos.shape[0])
            throw new ArgumentException($"A sequence of {context.Batch.MaxSequenceLength} tokens is longer than the model's {cos.shape[0]} positions.");
        Tensor positions = context.Batch.PositionIds.contiguous();
        Tensor query = torch.empty([tokens, heads, headDim], _dtype, qkv.device);
        Tensor key = torch.empty([tokens, heads, headDim], _dtype, qkv.device);
        Launch("rotary_query_key", tokens * 2 * heads * (headDim / 16), input, Pointer(positions), Pointer(cos), Pointer(sin),
            Pointer(query), Pointer(key), KernelArgument.Int64(tokens), KernelArgument.Int32((int)heads), KernelArgument.Int32((int)headDim));
        return (query, key);
    }

    public Tensor GatedActivation(string activation, Tensor x)
    {
        int code = activation switch
        {
            "gelu" => 0,
            "gelu_new" or "gelu_pytorch_tanh" => 1,
            "silu" => 2,
            "relu" => 3,
            _ => throw new ArgumentException($"Unsupported activation '{activation}'.", nameof(activation)),
        };
        long width = x.shape[^1] / 2;
        if (width % 8 != 0)
            return TorchElementwiseKernels.Instance.GatedActivation(activation, x);
        KernelArgument input = Input(x, nameof(x));
        long rows = x.numel() / (2 * width);
        Tensor output = torch.empty([.. x.shape[..^1], width], _dtype, x.device);
        Launch("gated_activation", rows * width / 8, input, Pointer(output),
            KernelArgument.Int64(rows), KernelArgument.Int32((int)width), KernelArgument.Int32(code));
        return output;
    }

    public Tensor LayerNorm(Tensor x, LayerNorm norm)
    {
        long width = x.shape[^1];
        long vectors = (width + LayerNormWidthPerVector - 1) / LayerNormWidthPerVector;
        if (width % 8 != 0 || vectors > MaxLayerNormVectors || norm.weight is null || norm.normalized_shape is not [var normalized] || normalized != width)
            return TorchElementwiseKernels.Instance.LayerNorm(x, norm);
        KernelArgument input = Input(x, nameof(x));
        KernelArgument weight = Input(norm.weight, nameof(norm));
        KernelArgument bias = norm.bias is null ? KernelArgument.Pointer(0) : Input(norm.bias, nameof(norm));
        long rows = x.numel() / width;
        Tensor output = torch.empty_like(x);
        Launch($"layer_norm_{vectors}", rows * 32, input, weight, bias, Pointer(output),
            KernelArgument.Int64(rows), KernelArgument.Int32((int)width), KernelArgument.Float((float)norm.eps));
        return output;
    }

    private void Launch(string kernel, long threads, params ReadOnlySpan<KernelArgument> arguments)
    {
        long blocks = (threads + ThreadsPerBlock - 1) / ThreadsPerBlock;
        if (blocks > uint.MaxValue)
            throw new ArgumentException($"{threads} threads are more than one launch of {kernel} takes.");
        _launcher.Launch(kernel, (uint)blocks, ThreadsPerBlock, arguments);
    }

    /// <summary>The address of a 16-bit tensor the kernels read in 16-byte vectors, once it is checked to suit them.</summary>
    private KernelArgument Input(Tensor input, string name)
    {
        if (input.dtype != _dtype)
            throw new ArgumentException($"The kernels were compiled for {_dtype}, not {input.dtype}.", name);
        if (!input.is_contiguous())
            throw new ArgumentException($"The kernels read {name} as one contiguous block.", name);
        nint address = TensorMemory.Address(input);
        if (address % 16 != 0)
            throw new ArgumentException($"The kernels read {name} 16 bytes at a time, from a 16-byte aligned address.", name);
        return KernelArgument.Pointer(address);
    }

    private static KernelArgument Pointer(Tensor tensor) => KernelArgument.Pointer(TensorMemory.Address(tensor));

    private static bool IsHalfPrecision(ScalarType dtype) => dtype is ScalarType.BFloat16 or ScalarType.Float16;

    private static string ReadResource(string name)
    {
        Assembly assembly = typeof(NativeElementwiseKernels).Assembly;
        using Stream stream = assembly.GetManifestResourceStream($"ModernBert.Modeling.Cuda.{name}")
            ?? throw new InvalidOperationException($"The resource {name} is missing from {assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
