using System.Collections.Concurrent;
using ModernBert.Tests.Common;

namespace ModernBert.IntegrationTests.Deploy;

/// <summary>
/// The apps published exactly as the images in deploy/docker publish them (the Dockerfile's own dotnet publish
/// command, read from it), each once per test class, into a temporary folder with its own build artifacts.
/// </summary>
public sealed class PublishedImageApps : IDisposable
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(8);

    private readonly TemporaryFolder _folder = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _outputs = new();

    /// <summary>
    /// The publish output folder of an image's app; <paramref name="torchSharpBackend"/> replaces the Dockerfile's
    /// (TorchSharp-cuda-linux cannot be restored here).
    /// </summary>
    public Task<string> OutputAsync(string dockerfile, string? torchSharpBackend = null)
    {
        DotnetPublish publish = Dockerfile.Read(Path.Combine(Fixtures.RepositoryRoot, "deploy", "docker", dockerfile)).Publish();
        string backend = torchSharpBackend ?? publish.TorchSharpBackend;
        string key = $"{publish.Project}-{backend}-{publish.WeakGlibcxx}";
        return _outputs.GetOrAdd(key, _ => new Lazy<Task<string>>(() => PublishAsync(publish, backend, key))).Value;
    }

    public void Dispose() => _folder.Dispose();

    private async Task<string> PublishAsync(DotnetPublish publish, string backend, string key)
    {
        string output = _folder.File(Path.Combine(key, "app"));
        string[] arguments =
        [
            "publish", publish.Project, "-c", "Release", "-r", "linux-x64", "--self-contained", "false",
            $"-p:TorchSharpBackend={backend}", $"-p:ModernBertWeakGlibcxx={publish.WeakGlibcxx}", "-o", output,
            "--artifacts-path", _folder.File(Path.Combine(key, "artifacts")), "--disable-build-servers", "-nodeReuse:false",
        ];
        (int exitCode, string standardOutput, string standardError) =
            await ProcessRun.RunAsync("dotnet", arguments, new Dictionary<string, string>(), Fixtures.RepositoryRoot, PublishTimeout, CancellationToken.None);
        if (exitCode != 0)
            throw new InvalidOperationException($"dotnet {string.Join(' ', arguments)} failed ({exitCode}):\n{standardOutput}\n{standardError}");
        return output;
    }
}
