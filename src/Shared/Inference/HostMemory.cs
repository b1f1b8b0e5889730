using System.Runtime.InteropServices;

namespace ModernBert.Inference;

/// <summary>
/// Hands back the host memory a CPU batch left behind, so that a long run's resident memory follows its live batch
/// and not the corpus read beside it. The GC's gen2 keeps whatever planning and the job queue promoted until its
/// budget runs out (tens of MB more in a long run); a full collection frees it. glibc keeps freed blocks under its mmap
/// threshold in per-thread arenas, where fragments pile up across batches; malloc_trim(0) releases the free pages of
/// every arena. Both take milliseconds against a CPU batch's seconds.
/// </summary>
public static class HostMemory
{
    private static bool _unavailable = !OperatingSystem.IsLinux();

    public static void ReturnFreed()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: false);
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
