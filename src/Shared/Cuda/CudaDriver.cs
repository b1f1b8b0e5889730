using System.Runtime.InteropServices;
using System.Text;

namespace ModernBert.Cuda;

/// <summary>
/// The CUDA driver calls TorchSharp does not expose, from libcuda, which every NVIDIA driver installs: device name
/// and memory in use (null where no driver is present), loading and launching compiled kernels, and the streams,
/// events and pinned memory that let copies overlap compute.
/// </summary>
public static class CudaDriver
{
    private const string Library = "libcuda.so.1";
    private const int ComputeCapabilityMajor = 75;
    private const int ComputeCapabilityMinor = 76;
    private const uint StreamNonBlocking = 1;

    /// <summary>The legacy default stream, where PyTorch's kernels run when no other stream is made current (TorchSharp makes none).</summary>
    public const nint LegacyStream = 0;

    private const uint EventBlockingSync = 1;
    private const uint EventDisableTiming = 2;

    private static readonly Dictionary<int, nint> PrimaryContexts = [];

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
    /// calls need, and returns it. The context is retained once per device, for the life of the process.
    /// </summary>
    public static nint MakePrimaryContextCurrent(int device)
    {
        nint context;
        lock (PrimaryContexts)
        {
            if (!PrimaryContexts.TryGetValue(device, out context))
            {
                Check(cuDevicePrimaryCtxRetain(out context, Device(device)), "cuDevicePrimaryCtxRetain");
                PrimaryContexts.Add(device, context);
            }
        }
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
    /// Queues a one-dimensional launch on the <see cref="LegacyStream"/>, so that it runs after the operators queued
    /// before it and before those after.
    /// </summary>
    /// <param name="arguments">One pointer per kernel parameter, to that parameter's value.</param>
    public static unsafe void Launch(nint context, nint function, uint blocks, uint threadsPerBlock, void** arguments)
    {
        MakeCurrent(context);
        Check(cuLaunchKernel(function, blocks, 1, 1, threadsPerBlock, 1, 1, 0, LegacyStream, arguments, null), "cuLaunchKernel");
    }

    /// <summary>A stream that does not synchronize with the legacy default stream, for work that should overlap it.</summary>
    public static nint CreateStream(nint context)
    {
        MakeCurrent(context);
        Check(cuStreamCreate(out nint stream, StreamNonBlocking), "cuStreamCreate");
        return stream;
    }

    public static void DestroyStream(nint context, nint stream)
    {
        MakeCurrent(context);
        Check(cuStreamDestroy_v2(stream), "cuStreamDestroy");
    }

    /// <summary>An event without timing, whose waiters sleep rather than spin.</summary>
    public static nint CreateEvent(nint context)
    {
        MakeCurrent(context);
        Check(cuEventCreate(out nint @event, EventBlockingSync | EventDisableTiming), "cuEventCreate");
        return @event;
    }

    public static void DestroyEvent(nint context, nint @event)
    {
        MakeCurrent(context);
        Check(cuEventDestroy_v2(@event), "cuEventDestroy");
    }

    /// <summary>Marks the point in <paramref name="stream"/> (0: the legacy default stream) that the work queued so far reaches.</summary>
    public static void RecordEvent(nint context, nint @event, nint stream)
    {
        MakeCurrent(context);
        Check(cuEventRecord(@event, stream), "cuEventRecord");
    }

    /// <summary>Makes work queued on <paramref name="stream"/> from now on wait until the event's last recorded point is reached.</summary>
    public static void WaitForEvent(nint context, nint stream, nint @event)
    {
        MakeCurrent(context);
        Check(cuStreamWaitEvent(stream, @event, 0), "cuStreamWaitEvent");
    }

    /// <summary>Blocks the calling thread until the event's last recorded point is reached.</summary>
    public static void SynchronizeEvent(nint context, nint @event)
    {
        MakeCurrent(context);
        Check(cuEventSynchronize(@event), "cuEventSynchronize");
    }

    /// <summary>Page-locked host memory, which copies to the device read without staging.</summary>
    public static nint AllocatePinned(nint context, long bytes)
    {
        MakeCurrent(context);
        Check(cuMemHostAlloc(out nint pointer, (nuint)bytes, 0), $"cuMemHostAlloc({bytes} bytes)");
        return pointer;
    }

    public static void FreePinned(nint context, nint pointer)
    {
        MakeCurrent(context);
        Check(cuMemFreeHost(pointer), "cuMemFreeHost");
    }

    /// <summary>Queues a copy from pinned host memory to device memory on <paramref name="stream"/>.</summary>
    public static void CopyToDeviceAsync(nint context, nint destination, nint source, long bytes, nint stream)
    {
        MakeCurrent(context);
        Check(cuMemcpyHtoDAsync_v2((ulong)destination, source, (nuint)bytes, stream), "cuMemcpyHtoDAsync");
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
    [DllImport(Library)] private static extern int cuStreamCreate(out nint stream, uint flags);
    [DllImport(Library)] private static extern int cuStreamDestroy_v2(nint stream);
    [DllImport(Library)] private static extern int cuStreamWaitEvent(nint stream, nint @event, uint flags);
    [DllImport(Library)] private static extern int cuEventCreate(out nint @event, uint flags);
    [DllImport(Library)] private static extern int cuEventDestroy_v2(nint @event);
    [DllImport(Library)] private static extern int cuEventRecord(nint @event, nint stream);
    [DllImport(Library)] private static extern int cuEventSynchronize(nint @event);
    [DllImport(Library)] private static extern int cuMemHostAlloc(out nint pointer, nuint bytes, uint flags);
    [DllImport(Library)] private static extern int cuMemFreeHost(nint pointer);
    [DllImport(Library)] private static extern int cuMemcpyHtoDAsync_v2(ulong destination, nint source, nuint bytes, nint stream);

    [DllImport(Library)]
    private static extern unsafe int cuLaunchKernel(nint function, uint gridX, uint gridY, uint gridZ, uint blockX, uint blockY,
        uint blockZ, uint sharedMemoryBytes, nint stream, void** kernelParameters, void** extra);
}
