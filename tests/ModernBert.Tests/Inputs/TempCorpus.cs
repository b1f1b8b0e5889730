using System.IO.Compression;
using System.Text;
using ModernBert.Storage;

namespace ModernBert.Tests.Inputs;

/// <summary>A temporary folder served as a <see cref="LocalObjectStore"/>, deleted on dispose.</summary>
internal sealed class TempCorpus : IDisposable
{
    public TempCorpus()
    {
        Root = Path.Combine(Path.GetTempPath(), $"modernbert-inputs-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Root);
        Store = new LocalObjectStore(Root);
    }

    public string Root { get; }

    public LocalObjectStore Store { get; }

    public string PathOf(string key) => Path.Combine(Root, key);

    public void Write(string key, byte[] content)
    {
        string path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
    }

    public void WriteText(string key, string content) => Write(key, Encoding.UTF8.GetBytes(content));

    public static byte[] Gzip(byte[] content)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
            gzip.Write(content);
        return output.ToArray();
    }

    public static byte[] Zstd(byte[] content)
    {
        using var compressor = new ZstdSharp.Compressor();
        return compressor.Wrap(content).ToArray();
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
