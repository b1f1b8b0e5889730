namespace ModernBert.Outputs;

/// <summary>A file written under a temporary name beside its path and moved there once complete.</summary>
internal sealed class PartialOutputFile : IAsyncDisposable
{
    private readonly string _temporaryPath;
    private bool _published;

    public PartialOutputFile(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        _temporaryPath = Path + ".partial";
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        Stream = new FileStream(_temporaryPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
    }

    public string Path { get; }

    public FileStream Stream { get; }

    /// <summary>Flushes the file to disk and moves it to <see cref="Path"/>, replacing any file there.</summary>
    public async Task PublishAsync(CancellationToken cancellationToken)
    {
        await Stream.FlushAsync(cancellationToken);
        Stream.Flush(flushToDisk: true);
        await Stream.DisposeAsync();
        File.Move(_temporaryPath, Path, overwrite: true);
        _published = true;
    }

    public async ValueTask DisposeAsync()
    {
        await Stream.DisposeAsync();
        if (!_published)
            File.Delete(_temporaryPath);
    }
}
