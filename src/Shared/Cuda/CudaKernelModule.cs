using System.Collections.Concurrent;

namespace ModernBert.Cuda;

/// <summary>
/// CUDA C++ compiled by NVRTC for one device and loaded into its primary context, PyTorch's. It lives as long as the
/// process: the context goes with it.
/// </summary>
public sealed class CudaKernelModule : IKernelLauncher
{
    private readonly int _device;
    private readonly nint _module;
    private readonly ConcurrentDictionary<string, nint> _functions = new(StringComparer.Ordinal);

    private CudaKernelModule(int device, nint module)
    {
        _device = device;
        _module = module;
    }

    /// <exception cref="CudaException">NVRTC is missing, the source does not compile, or the driver refuses the module.</exception>
    public static CudaKernelModule Compile(int device, string source, string name, IEnumerable<string> options)
    {
        byte[] cubin = Nvrtc.CompileCubin(source, name, CudaDriver.ComputeCapability(device), options);
        return new CudaKernelModule(device, CudaDriver.LoadModule(device, cubin));
    }

    public unsafe void Launch(string kernel, uint blocks, uint threadsPerBlock, params ReadOnlySpan<KernelArgument> arguments)
    {
        if (blocks == 0)
            return;
        nint function = _functions.GetOrAdd(kernel, name => CudaDriver.GetFunction(_module, name));
        long* values = stackalloc long[arguments.Length];
        void** pointers = stackalloc void*[arguments.Length];
        for (int i = 0; i < arguments.Length; i++)
        {
            values[i] = arguments[i].Bits;
            pointers[i] = &values[i];
        }
        CudaDriver.Launch(_device, function, blocks, threadsPerBlock, pointers);
    }
}
