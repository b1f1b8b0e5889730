using System.Runtime.InteropServices;

namespace ModernBert.Inference;

/// <summary>Recognises libtorch's out-of-memory errors (CUDA and CPU), which TorchSharp surfaces as ExternalException.</summary>
public static class OutOfMemory
{
    public static bool Is(Exception exception) =>
        exception is OutOfMemoryException
        || (exception is ExternalException && (exception.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase)
            || exception.Message.Contains("DefaultCPUAllocator: can't allocate memory", StringComparison.Ordinal)));
}
