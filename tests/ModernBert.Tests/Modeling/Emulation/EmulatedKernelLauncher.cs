using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using ModernBert.Cuda;
using ModernBert.Modeling;
using ModernBert.Tests.Common;
using static TorchSharp.torch;

namespace ModernBert.Tests.Modeling.Emulation;

/// <summary>
/// Runs the kernels of FusedKernels.cu on the CPU: g++ compiles the kernels' own source behind a CPU prelude
/// (EmulationPrelude.h), and each launch runs every thread of the grid in turn on CPU tensors. Everything the GPU
/// path does except NVRTC and the driver is then tested without a GPU: the C# side's shapes, arguments and grid, and
/// the kernels' indexing and arithmetic.
/// </summary>
internal sealed unsafe class EmulatedKernelLauncher : IKernelLauncher
{
    private static readonly string Folder = Path.Combine(Fixtures.RepositoryRoot, "tests", "ModernBert.Tests", "Modeling", "Emulation");
    private static readonly ConcurrentDictionary<ScalarType, Lazy<EmulatedKernelLauncher>> Compiled = new();

    private readonly delegate* unmanaged<byte*, uint, uint, long*, int> _launch;

    private EmulatedKernelLauncher(nint library)
    {
        _launch = (delegate* unmanaged<byte*, uint, uint, long*, int>)NativeLibrary.GetExport(library, "emulate_launch");
    }

    public static EmulatedKernelLauncher For(ScalarType dtype) =>
        Compiled.GetOrAdd(dtype, key => new Lazy<EmulatedKernelLauncher>(() => Compile(key))).Value;

    public void Launch(string kernel, uint blocks, uint threadsPerBlock, params ReadOnlySpan<KernelArgument> arguments)
    {
        long* slots = stackalloc long[arguments.Length];
        for (int i = 0; i < arguments.Length; i++)
            slots[i] = arguments[i].Bits;
        nint name = Marshal.StringToCoTaskMemUTF8(kernel);
        try
        {
            if (_launch((byte*)name, blocks, threadsPerBlock, slots) != 0)
                throw new ArgumentException($"FusedKernels.cu has no kernel {kernel}.", nameof(kernel));
        }
        finally
        {
            Marshal.FreeCoTaskMem(name);
        }
    }

    private static EmulatedKernelLauncher Compile(ScalarType dtype)
    {
        string? compiler = Prerequisites.FindOnPath("g++");
        if (compiler == null)
            Prerequisites.Missing("g++ is not on the PATH: the CUDA kernels' CPU emulation needs it (apt-get install g++).");
        string folder = Path.Combine(Path.GetTempPath(), $"modernbert-kernels-{dtype}-{Environment.ProcessId}");
        Directory.CreateDirectory(folder);
        string source = Path.Combine(folder, "emulated_kernels.cpp");
        File.WriteAllText(source, string.Join('\n',
            File.ReadAllText(Path.Combine(Folder, "EmulationPrelude.h")),
            "#line 1 \"FusedKernels.cu\"",
            NativeElementwiseKernels.KernelSource,
            File.ReadAllText(Path.Combine(Folder, "EmulatedLaunch.cpp"))));
        string library = Path.Combine(folder, "libemulated_kernels.so");
        string[] arguments = ["-std=c++20", "-O1", "-shared", "-fPIC", "-pthread", "-Wall", "-Werror", "-Wno-unknown-pragmas",
            .. NativeElementwiseKernels.CompileOptions(dtype), "-o", library, source];
        // Compiled once per dtype for every test that needs it, so no single test's cancellation applies.
        (int exitCode, string output, string errors) = ProcessRun.RunAsync(compiler!, arguments, new Dictionary<string, string>(), null,
            TimeSpan.FromMinutes(5), CancellationToken.None).GetAwaiter().GetResult();
        Assert.True(exitCode == 0, $"g++ could not compile the kernels for {dtype}:\n{errors}{output}");
        return new EmulatedKernelLauncher(NativeLibrary.Load(library));
    }
}
