using System.Runtime.InteropServices;
using System.Text;

namespace ModernBert.Inference;

/// <summary>
/// The few CUDA driver calls TorchSharp does not expose (device name, memory in use), from libcuda, which every
/// NVIDIA driver installs. They report null where no driver is present.
/// </summary>
public static class CudaDriver
{
    private const string Library = "libcuda.so.1";

    /// <summary>Bytes of device memory in use (by every process and context on the device), or null.</summary>
    public static long? UsedMemory(int device)
    {
        if (!TryMakePrimaryContextCurrent(device))
            return null;
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

    private static bool TryMakePrimaryContextCurrent(int device)
    {
        try
        {
            if (cuInit(0) != 0 || cuDeviceGet(out int handle, device) != 0)
                return false;
            if (cuCtxGetCurrent(out nint current) == 0 && current != 0)
                return true;
            return cuDevicePrimaryCtxRetain(out nint context, handle) == 0 && cuCtxSetCurrent(context) == 0;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
    }

    [DllImport(Library)] private static extern int cuInit(uint flags);
    [DllImport(Library)] private static extern int cuDeviceGet(out int device, int ordinal);
    [DllImport(Library)] private static extern int cuDeviceGetName(byte[] name, int length, int device);
    [DllImport(Library)] private static extern int cuCtxGetCurrent(out nint context);
    [DllImport(Library)] private static extern int cuCtxSetCurrent(nint context);
    [DllImport(Library)] private static extern int cuDevicePrimaryCtxRetain(out nint context, int device);
    [DllImport(Library)] private static extern int cuMemGetInfo_v2(out nuint free, out nuint total);
}
