using System.Collections.Concurrent;

namespace ModernBert.Cuda;

/// <summary>
/// CUDA C++ compiled by NVRTC for one device and loaded into its primary context, PyTorch's. It lives as long as the
/// process: the context goes with it.
/// </summary>
public sealed class CudaKernelModule : IKernelLauncher
{
    private readonly nint _context;
    private readonly nint _module;
    private readonly ConcurrentDictionary<string, nint> _functions = new(StringComparer.Ordinal);

    private CudaKernelModule(nint context, nint module)
    {
        _context = context;
        _module = module;
    }

    /// <exception cref="CudaException">NVRTC is missing, the source does not compile, or the driver refuses the module.</exception>
    public static CudaKernelModule Compile(int device, string source, string name, IEnumerable<string> options)
    {
        byte[] cubin = Nvrtc.CompileCubin(source, name, CudaDriver.ComputeCapability(device), options);
        nint context = CudaDriver.MakePrimaryContextCurrent(device);
        return new CudaKernelModule(context, CudaDriver.LoadModule(context, cubin));
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
        CudaDriver.Launch(_context, function, blocks, threadsPerBlock, pointers);
    }
}
