namespace ModernBert.Tests.Common;

/// <summary>A folder under the system temporary folder, deleted with its content on dispose.</summary>
public sealed class TemporaryFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("modernbert-test-").FullName;

    public string File(string relativePath) => System.IO.Path.Combine(Path, relativePath);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
