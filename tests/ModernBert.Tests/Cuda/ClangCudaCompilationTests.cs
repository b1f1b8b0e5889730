using System.Text.RegularExpressions;
using ModernBert.Modeling;
using ModernBert.Tests.Common;
using static TorchSharp.torch;

namespace ModernBert.Tests.Cuda;

/// <summary>
/// CI has no NVRTC, and the CPU emulation compiles the kernels behind its own prelude; so clang's CUDA compiler checks
/// what NVRTC will be given: <see cref="NativeElementwiseKernels.DeviceSource"/>, as device code for an H100, with
/// NVRTC's built-ins declared by NvrtcBuiltins.h. The PTX is then held to what the kernels were written for.
/// </summary>
public sealed partial class ClangCudaCompilationTests
{
    private static readonly string[] Kernels =
        ["rotary_query_key", "gated_activation", .. Enumerable.Range(1, 8).Select(vectors => $"layer_norm_{vectors}")];

    [Theory]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float16)]
    public async Task EveryKernelCompilesForHopper_KeepsItsValuesInRegisters_AndMoves16BytesAtATime(ScalarType dtype)
    {
        string ptx = await CompileToPtxAsync(dtype);
        Dictionary<string, string> bodies = EntryPattern().Split(ptx).Skip(1).Chunk(2).ToDictionary(pair => pair[0], pair => pair[1]);

        Assert.Equal(Kernels.Order(), bodies.Keys.Order());
        foreach ((string kernel, string body) in bodies)
        {
            // Local memory would mean spilled registers: each layer_norm entry keeps its whole row in them.
            Assert.False(body.Contains(".local"), $"{kernel} uses local memory");
            Assert.True(body.Contains("ld.global.nc.v4."), $"{kernel} does not load 16 bytes at a time");
            Assert.True(body.Contains("st.global.v4."), $"{kernel} does not store 16 bytes at a time");
        }
        Assert.Equal(dtype == ScalarType.BFloat16, ptx.Contains("cvt.rn.bf16.f32"));
        Assert.Equal(dtype == ScalarType.Float16, ptx.Contains("cvt.rn.f16.f32"));
    }

    private static async Task<string> CompileToPtxAsync(ScalarType dtype)
    {
        string? clang = new[] { "clang-19", "clang-18", "clang-17", "clang-16", "clang" }
            .Select(name => Prerequisites.FindOnPath(name)).FirstOrDefault(path => path != null);
        if (clang == null)
            Prerequisites.Missing("clang is not on the PATH: the CUDA kernels' device compilation check needs clang 16 or later (apt-get install clang-19).");
        using var folder = new TemporaryFolder();
        // The source opens with the prelude, so its line numbers are the prelude's until FusedKernels.cu's #line.
        string source = Path.Combine(folder.Path, "DevicePrelude.cuh");
        string ptx = Path.Combine(folder.Path, "FusedKernels.ptx");
        File.WriteAllText(source, NativeElementwiseKernels.DeviceSource);
        string builtins = Path.Combine(Fixtures.RepositoryRoot, "tests", "ModernBert.Tests", "Cuda", "NvrtcBuiltins.h");
        string[] arguments = ["-x", "cuda", "--cuda-device-only", "--cuda-gpu-arch=sm_90", "-nocudainc", "-nocudalib",
            "-Xclang", "-target-feature", "-Xclang", "+ptx78", "-std=c++17", "-O3", "-Wall", "-Wextra", "-Werror",
            "-include", builtins, .. NativeElementwiseKernels.CompileOptions(dtype), "-S", "-o", ptx, source];
        (int exitCode, string output, string errors) = await ProcessRun.RunAsync(clang!, arguments, new Dictionary<string, string>(), null,
            TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);
        Assert.True(exitCode == 0, $"{clang} could not compile the kernels for {dtype}:\n{errors}{output}");
        return await File.ReadAllTextAsync(ptx, TestContext.Current.CancellationToken);
    }

    [GeneratedRegex(@"\.entry (\w+)\(")]
    private static partial Regex EntryPattern();
}
