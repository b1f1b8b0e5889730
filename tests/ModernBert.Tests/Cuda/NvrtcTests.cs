using System.Runtime.InteropServices;
using ModernBert.Cuda;
using ModernBert.Modeling;
using static TorchSharp.torch;

namespace ModernBert.Tests.Cuda;

/// <summary>
/// NVRTC needs no GPU: where the library is on this machine the kernels must compile for an H100, and where it is not,
/// the error must say what to install.
/// </summary>
public sealed class NvrtcTests
{
    [Theory]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float16)]
    public void TheKernelsCompileForHopper_OrTheErrorSaysWhatToInstall(ScalarType dtype)
    {
        string source = NativeElementwiseKernels.DeviceSource;
        bool present = new[] { "libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so" }.Any(name =>
        {
            bool loaded = NativeLibrary.TryLoad(name, out nint handle);
            if (loaded)
                NativeLibrary.Free(handle);
            return loaded;
        });

        if (present)
        {
            byte[] cubin = Nvrtc.CompileCubin(source, "FusedKernels.cu", (9, 0), NativeElementwiseKernels.CompileOptions(dtype));
            Assert.Equal("\u007fELF"u8.ToArray(), cubin[..4]);
        }
        else
        {
            var error = Assert.Throws<CudaException>(() => Nvrtc.CompileCubin(source, "FusedKernels.cu", (9, 0), NativeElementwiseKernels.CompileOptions(dtype)));
            Assert.Contains("NVRTC (libnvrtc.so) was not found", error.Message);
            Assert.Contains("LD_LIBRARY_PATH", error.Message);
        }
    }
}
