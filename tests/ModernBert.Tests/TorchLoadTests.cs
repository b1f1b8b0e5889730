using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using System.Xml.Linq;
using ModernBert.Tests.Common;
using TorchSharp;

namespace ModernBert.Tests;

/// <summary>
/// Which native libtorch this process runs: the libraries it mapped (from /proc/self/maps), where they lie, and the
/// NuGet packages (and versions) they are copies of, by this test assembly's deps.json and Directory.Packages.props.
/// </summary>
public class TorchLoadTests
{
    private static readonly string[] Required = ["libLibTorchSharp.so", "libtorch.so", "libtorch_cpu.so", "libc10.so"];

    [Fact]
    public void TorchSharpLoadsAndComputes()
    {
        using var a = torch.ones(2, 2);
        using var b = a.matmul(a);
        Assert.Equal(8f, b.sum().item<float>());
    }

    [Fact]
    public void TheProcessMapsLibtorchFromThePinnedPackages_CopiedBesideTheTests()
    {
        using (var a = torch.ones(2, 2))
            Assert.Equal(4f, a.sum().item<float>());
        Dictionary<string, string[]> mapped = MappedTorchLibraries();
        Dictionary<string, NativeAsset> assets = NativeAssets();

        Assert.All(Required, name => Assert.True(mapped.ContainsKey(name), $"{name} is not mapped; mapped: {string.Join(", ", mapped.Keys)}"));
        foreach ((string name, string[] paths) in mapped)
        {
            string path = Assert.Single(paths);
            Assert.True(assets.TryGetValue(name, out NativeAsset? asset), $"{path} is not a native asset of any package in the deps.json");
            Assert.Equal(Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, asset.RelativePath)), path);
            string packaged = Path.Combine(PackagesRoot, asset.PackagePath, asset.RelativePath);
            Assert.True(File.Exists(packaged), $"{packaged} is missing");
            Assert.Equal(new FileInfo(packaged).Length, new FileInfo(path).Length);
            // The build marks one symbol-version need weak in its copy of libLibTorchSharp.so (build/LibTorchSharpGlibcxx.targets).
            if (name != "libLibTorchSharp.so")
                Assert.Equal(Fingerprint(packaged), Fingerprint(path));
        }

        Dictionary<string, string> pinned = PinnedVersions();
        NativeAsset torchSharp = assets["libLibTorchSharp.so"];
        Assert.Equal(("TorchSharp", pinned["TorchSharp"]), (torchSharp.PackageId, torchSharp.PackageVersion));
        Assert.Equal(pinned["TorchSharp"],
            typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0]);
        NativeAsset libtorch = assets["libtorch_cpu.so"];
        if (mapped.ContainsKey("libtorch_cuda.so"))
            Assert.StartsWith("libtorch-cuda-", libtorch.PackageId);
        else
            Assert.Equal(("libtorch-cpu-linux-x64", pinned["libtorch-cpu-linux-x64"]), (libtorch.PackageId, libtorch.PackageVersion));
    }

    private sealed record NativeAsset(string PackageId, string PackageVersion, string PackagePath, string RelativePath);

    private static bool IsTorchLibrary(string fileName) =>
        fileName.StartsWith("libtorch", StringComparison.Ordinal) || fileName.StartsWith("libc10", StringComparison.Ordinal)
        || fileName == "libLibTorchSharp.so";

    /// <summary>The libtorch libraries mapped into this process, by file name, with the paths they were mapped from.</summary>
    private static Dictionary<string, string[]> MappedTorchLibraries() =>
        File.ReadLines("/proc/self/maps")
            .Select(line => line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length == 6 && fields[5].StartsWith('/'))
            .Select(fields => fields[5].Trim())
            .Where(path => IsTorchLibrary(Path.GetFileName(path)))
            .Distinct()
            .GroupBy(Path.GetFileName)
            .ToDictionary(group => group.Key!, group => group.ToArray());

    /// <summary>The Linux native assets this test assembly's deps.json takes from packages, by file name.</summary>
    private static Dictionary<string, NativeAsset> NativeAssets()
    {
        string depsFile = Path.Combine(AppContext.BaseDirectory, $"{typeof(TorchLoadTests).Assembly.GetName().Name}.deps.json");
        using JsonDocument deps = JsonDocument.Parse(File.ReadAllText(depsFile));
        JsonElement libraries = deps.RootElement.GetProperty("libraries");
        var assets = new Dictionary<string, NativeAsset>();
        foreach (JsonProperty target in deps.RootElement.GetProperty("targets").EnumerateObject())
        {
            foreach (JsonProperty library in target.Value.EnumerateObject())
            {
                if (!library.Value.TryGetProperty("runtimeTargets", out JsonElement runtimeTargets))
                    continue;
                string[] idAndVersion = library.Name.Split('/');
                string packagePath = libraries.GetProperty(library.Name).GetProperty("path").GetString()!;
                foreach (JsonProperty file in runtimeTargets.EnumerateObject())
                {
                    if (file.Value.GetProperty("rid").GetString() == "linux-x64" && IsTorchLibrary(Path.GetFileName(file.Name)))
                        assets[Path.GetFileName(file.Name)] = new NativeAsset(idAndVersion[0], idAndVersion[1], packagePath, file.Name);
                }
            }
        }
        return assets;
    }

    private static string PackagesRoot =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } root
            ? root
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    private static Dictionary<string, string> PinnedVersions() =>
        XDocument.Load(Path.Combine(Fixtures.RepositoryRoot, "Directory.Packages.props"))
            .Descendants("PackageVersion")
            .ToDictionary(element => (string)element.Attribute("Include")!, element => (string)element.Attribute("Version")!);

    /// <summary>SHA-256 of a file's first and last MiB: enough to tell two builds of a library apart, cheap on 450 MB.</summary>
    private static string Fingerprint(string path)
    {
        const int window = 1 << 20;
        using FileStream file = File.OpenRead(path);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[window];
        foreach (long offset in new[] { 0L, Math.Max(0, file.Length - window) })
        {
            file.Position = offset;
            hash.AppendData(buffer, 0, file.ReadAtLeast(buffer, window, throwOnEndOfStream: false));
        }
        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
