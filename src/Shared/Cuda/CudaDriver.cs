using System.Runtime.InteropServices;
using System.Text;

namespace ModernBert.Cuda;

/// <summary>
/// The CUDA driver calls TorchSharp does not expose, from libcuda, which every NVIDIA driver installs: device name
/// and memory in use (null where no driver is present), and loading and launching compiled kernels.
/// </summary>
public static class CudaDriver
{
    private const string Library = "libcuda.so.1";
    private const int ComputeCapabilityMajor = 75;
    private const int ComputeCapabilityMinor = 76;

    /// <summary>Bytes of device memory in use (by every process and context on the device), or null.</summary>
    public static long? UsedMemory(int device)
    {
        try
        {
            MakePrimaryContextCurrent(device);
        }
        catch (Exception e) when (e is DllNotFoundException or CudaException)
        {
            return null;
        }
        return cuMemGetInfo_v2(out nuint free, out nuint total) == 0 ? (long)(total - free) : null;
    }

    public static string? DeviceName(int device)
    {
        try
        {
            if (cuInit(0) != 0 || cuDeviceGet(out int handle, device) != 0)
                return null;
            var name = new byte[256];
            return cuDeviceGetName(name, name.Length, handle) == 0 ? Encoding.ASCII.GetString(name).TrimEnd('\0') : null;
        }
        catch (DllNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The device's compute capability, e.g. (9, 0) for an H100.</summary>
    public static (int Major, int Minor) ComputeCapability(int device)
    {
        int handle = Device(device);
        Check(cuDeviceGetAttribute(out int major, ComputeCapabilityMajor, handle), "cuDeviceGetAttribute");
        Check(cuDeviceGetAttribute(out int minor, ComputeCapabilityMinor, handle), "cuDeviceGetAttribute");
        return (major, minor);
    }

    /// <summary>
    /// Makes the device's primary context (the one PyTorch's runtime calls use) current on this thread, which driver
    /// calls need, and returns it. The context stays retained for the life of the process.
    /// </summary>
    public static nint MakePrimaryContextCurrent(int device)
    {
        Check(cuDevicePrimaryCtxRetain(out nint context, Device(device)), "cuDevicePrimaryCtxRetain");
        MakeCurrent(context);
        return context;
    }

    /// <summary>Loads a compiled module (cubin or PTX) into a context made current by <see cref="MakePrimaryContextCurrent"/>.</summary>
    public static nint LoadModule(nint context, byte[] image)
    {
        MakeCurrent(context);
        Check(cuModuleLoadData(out nint module, image), "cuModuleLoadData");
        return module;
    }

    public static nint GetFunction(nint module, string name)
    {
        Check(cuModuleGetFunction(out nint function, module, name), $"cuModuleGetFunction({name})");
        return function;
    }

    /// <summary>
    /// Queues a one-dimensional launch on the legacy default stream, the stream PyTorch's kernels run on when no other
    /// is made current (TorchSharp makes none), so it runs after the operators queued before it and before those after.
    /// </summary>
    /// <param name="arguments">One pointer per kernel parameter, to that parameter's value.</param>
    public static unsafe void Launch(nint context, nint function, uint blocks, uint threadsPerBlock, void** arguments)
    {
        MakeCurrent(context);
        Check(cuLaunchKernel(function, blocks, 1, 1, threadsPerBlock, 1, 1, 0, 0, arguments, null), "cuLaunchKernel");
    }

    private static int Device(int ordinal)
    {
        Check(cuInit(0), "cuInit");
        Check(cuDeviceGet(out int handle, ordinal), "cuDeviceGet");
        return handle;
    }

    private static void MakeCurrent(nint context)
    {
        if (cuCtxGetCurrent(out nint current) != 0 || current != context)
            Check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
    }

    private static void Check(int result, string call)
    {
        if (result == 0)
            return;
        string name = cuGetErrorName(result, out nint text) == 0 ? Marshal.PtrToStringAnsi(text) ?? "" : "";
        throw new CudaException($"{call} failed: CUDA error {result} {name}");
    }

    [DllImport(Library)] private static extern int cuInit(uint flags);
    [DllImport(Library)] private static extern int cuDeviceGet(out int device, int ordinal);
    [DllImport(Library)] private static extern int cuDeviceGetName(byte[] name, int length, int device);
    [DllImport(Library)] private static extern int cuDeviceGetAttribute(out int value, int attribute, int device);
    [DllImport(Library)] private static extern int cuCtxGetCurrent(out nint context);
    [DllImport(Library)] private static extern int cuCtxSetCurrent(nint context);
    [DllImport(Library)] private static extern int cuDevicePrimaryCtxRetain(out nint context, int device);
    [DllImport(Library)] private static extern int cuMemGetInfo_v2(out nuint free, out nuint total);
    [DllImport(Library)] private static extern int cuModuleLoadData(out nint module, byte[] image);
    [DllImport(Library)] private static extern int cuModuleGetFunction(out nint function, nint module, string name);
    [DllImport(Library)] private static extern int cuGetErrorName(int error, out nint name);

    [DllImport(Library)]
    private static extern unsafe int cuLaunchKernel(nint function, uint gridX, uint gridY, uint gridZ, uint blockX, uint blockY,
        uint blockZ, uint sharedMemoryBytes, nint stream, void** kernelParameters, void** extra);
}
