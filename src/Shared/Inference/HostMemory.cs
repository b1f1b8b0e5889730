using System.Runtime.InteropServices;

namespace ModernBert.Inference;

/// <summary>
/// Hands the host memory that libtorch freed back to the system. glibc keeps freed blocks under its mmap threshold in
/// per-thread arenas, where a long run's fragments pile up across batches; malloc_trim(0) releases the free pages of
/// every arena, so a process's resident memory follows its live batch instead of every batch it ran.
/// </summary>
public static class HostMemory
{
    private static bool _unavailable = !OperatingSystem.IsLinux();

    public static void ReturnFreed()
    {
        if (Volatile.Read(ref _unavailable))
            return;
        try
        {
            MallocTrim(0);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            // A C library other than glibc (musl) has no malloc_trim and returns freed memory by itself.
            Volatile.Write(ref _unavailable, true);
        }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);
}
