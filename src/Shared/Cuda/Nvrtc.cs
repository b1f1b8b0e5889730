using System.Runtime.InteropServices;
using System.Text;

namespace ModernBert.Cuda;

/// <summary>
/// NVRTC, CUDA's run-time compiler: CUDA C++ source to a device binary for the GPU at hand. The library is found
/// where the process's libtorch keeps it (PyTorch's wheels install it beside torch, libtorch archives next to
/// libtorch_cuda.so) or on the loader's search path (CUDA images).
/// </summary>
public static unsafe class Nvrtc
{
    private static readonly Lazy<nint> Handle = new(FindLibrary);

    /// <summary>Compiles <paramref name="source"/> to a cubin for the given compute capability.</summary>
    /// <exception cref="CudaException">NVRTC is missing, or the source does not compile (the message holds the log).</exception>
    public static byte[] CompileCubin(string source, string name, (int Major, int Minor) architecture, IEnumerable<string> options)
    {
        nint library = Handle.Value;
        var create = (delegate* unmanaged<nint*, byte*, byte*, int, byte**, byte**, int>)Export(library, "nvrtcCreateProgram");
        var compile = (delegate* unmanaged<nint, int, byte**, int>)Export(library, "nvrtcCompileProgram");
        var logSize = (delegate* unmanaged<nint, nuint*, int>)Export(library, "nvrtcGetProgramLogSize");
        var log = (delegate* unmanaged<nint, byte*, int>)Export(library, "nvrtcGetProgramLog");
        var cubinSize = (delegate* unmanaged<nint, nuint*, int>)Export(library, "nvrtcGetCUBINSize");
        var cubin = (delegate* unmanaged<nint, byte*, int>)Export(library, "nvrtcGetCUBIN");
        var destroy = (delegate* unmanaged<nint*, int>)Export(library, "nvrtcDestroyProgram");

        string[] arguments = [$"--gpu-architecture=sm_{architecture.Major}{architecture.Minor}", .. options];
        using var sourceText = new Utf8Strings([source, name]);
        using var argumentTexts = new Utf8Strings(arguments);
        nint program;
        Check(library, create(&program, sourceText.Pointers[0], sourceText.Pointers[1], 0, null, null), "nvrtcCreateProgram");
        try
        {
            int compiled = compile(program, arguments.Length, argumentTexts.Pointers);
            if (compiled != 0)
            {
                nuint size;
                Check(library, logSize(program, &size), "nvrtcGetProgramLogSize");
                var text = new byte[(int)size];
                fixed (byte* buffer = text)
                    Check(library, log(program, buffer), "nvrtcGetProgramLog");
                throw new CudaException($"NVRTC could not compile {name} ({string.Join(' ', arguments)}): {ErrorString(library, compiled)}\n"
                    + Encoding.UTF8.GetString(text).TrimEnd('\0'));
            }
            nuint binarySize;
            Check(library, cubinSize(program, &binarySize), "nvrtcGetCUBINSize");
            var binary = new byte[(int)binarySize];
            fixed (byte* buffer = binary)
                Check(library, cubin(program, buffer), "nvrtcGetCUBIN");
            return binary;
        }
        finally
        {
            destroy(&program);
        }
    }

    private static nint FindLibrary()
    {
        foreach (string candidate in Candidates())
        {
            if (NativeLibrary.TryLoad(candidate, out nint handle))
                return handle;
        }
        throw new CudaException("NVRTC (libnvrtc.so) was not found beside libtorch_cuda.so, in PyTorch's nvidia packages or on "
            + "the library search path; install CUDA's NVRTC or add its folder to LD_LIBRARY_PATH.");
    }

    private static IEnumerable<string> Candidates()
    {
        foreach (string folder in LibTorchCudaFolders())
        {
            // PyTorch wheels: site-packages/torch/lib beside site-packages/nvidia/<package>/lib.
            string sitePackages = Path.GetFullPath(Path.Combine(folder, "..", ".."));
            foreach (string nvidiaFolder in new[] { Path.Combine(sitePackages, "nvidia", "cu13", "lib"), Path.Combine(sitePackages, "nvidia", "cuda_nvrtc", "lib"), folder })
            {
                if (!Directory.Exists(nvidiaFolder))
                    continue;
                foreach (string file in Directory.EnumerateFiles(nvidiaFolder, "libnvrtc*.so*").Order(StringComparer.Ordinal))
                {
                    if (!Path.GetFileName(file).StartsWith("libnvrtc-builtins", StringComparison.Ordinal))
                        yield return file;
                }
            }
        }
        foreach (string name in new[] { "libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so" })
            yield return name;
    }

    private static IEnumerable<string> LibTorchCudaFolders()
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps))
            return [];
        return File.ReadLines(maps)
            .Select(line => line[(line.IndexOf('/') is var slash and >= 0 ? slash : line.Length)..])
            .Where(path => Path.GetFileName(path).StartsWith("libtorch_cuda", StringComparison.Ordinal))
            .Select(path => Path.GetDirectoryName(path)!)
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    private static nint Export(nint library, string name) => NativeLibrary.GetExport(library, name);

    private static void Check(nint library, int result, string call)
    {
        if (result != 0)
            throw new CudaException($"{call} failed: {ErrorString(library, result)}");
    }

    private static string ErrorString(nint library, int result)
    {
        var errorString = (delegate* unmanaged<int, byte*>)Export(library, "nvrtcGetErrorString");
        return Marshal.PtrToStringAnsi((nint)errorString(result)) ?? $"NVRTC error {result}";
    }

    /// <summary>Null-terminated UTF-8 copies of strings in native memory, for the lifetime of the instance.</summary>
    private sealed class Utf8Strings : IDisposable
    {
        private readonly nint[] _strings;

        public Utf8Strings(IReadOnlyList<string> values)
        {
            _strings = values.Select(Marshal.StringToCoTaskMemUTF8).ToArray();
            Pointers = (byte**)NativeMemory.Alloc((nuint)Math.Max(1, _strings.Length), (nuint)sizeof(byte*));
            for (int i = 0; i < _strings.Length; i++)
                Pointers[i] = (byte*)_strings[i];
        }

        public byte** Pointers { get; }

        public void Dispose()
        {
            foreach (nint value in _strings)
                Marshal.FreeCoTaskMem(value);
            NativeMemory.Free(Pointers);
        }
    }
}
