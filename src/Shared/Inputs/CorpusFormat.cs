using ZstdSharp;

namespace ModernBert.Inputs;

/// <summary>How the documents of one corpus object are laid out.</summary>
public enum DocumentLayout
{
    /// <summary>One JSON object per line (.jsonl, .ndjson, .json).</summary>
    JsonLines,

    /// <summary>Rows of a Parquet file (.parquet).</summary>
    Parquet,

    /// <summary>The whole object is one UTF-8 document (any other name).</summary>
    Text,
}

/// <summary>The compression wrapped around an object's bytes.</summary>
public enum ObjectCompression
{
    None,
    Gzip,
    Zstd,
}

/// <summary>
/// The format of a corpus object, chosen by its name: a final <c>.gz</c> or <c>.zst</c> means compressed, and the
/// extension before it picks the layout: <c>.jsonl</c>, <c>.ndjson</c> and <c>.json</c> are JSON Lines,
/// <c>.parquet</c> is Parquet (never compressed outside: Parquet compresses its pages itself), and anything else is
/// one text document. Extensions compare case-insensitively.
/// </summary>
public sealed record CorpusFormat(DocumentLayout Layout, ObjectCompression Compression)
{
    public static CorpusFormat Of(string key)
    {
        string name = key[(key.LastIndexOf('/') + 1)..];
        ObjectCompression compression = ObjectCompression.None;
        if (name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
            compression = ObjectCompression.Gzip;
        else if (name.EndsWith(".zst", StringComparison.OrdinalIgnoreCase))
            compression = ObjectCompression.Zstd;
        if (compression != ObjectCompression.None)
            name = Path.GetFileNameWithoutExtension(name);

        string extension = Path.GetExtension(name).ToLowerInvariant();
        DocumentLayout layout = extension switch
        {
            ".jsonl" or ".ndjson" or ".json" => DocumentLayout.JsonLines,
            ".parquet" => DocumentLayout.Parquet,
            _ => DocumentLayout.Text,
        };
        if (layout == DocumentLayout.Parquet && compression != ObjectCompression.None)
            throw new NotSupportedException($"'{key}': compressed Parquet files are not supported; Parquet compresses its pages itself, so store the .parquet file as it is.");
        return new CorpusFormat(layout, compression);
    }

    /// <summary>Wraps <paramref name="stored"/> (which the returned stream then owns) in the decompressor this format needs.</summary>
    public Stream Decompress(Stream stored) => Compression switch
    {
        ObjectCompression.None => stored,
        ObjectCompression.Gzip => new StrictGzipStream(stored),
        ObjectCompression.Zstd => new DecompressionStream(stored, leaveOpen: false),
        _ => throw new InvalidOperationException($"Unknown compression {Compression}."),
    };

    /// <summary>Whether <paramref name="exception"/>, thrown while reading a stream from <see cref="Decompress"/>, means the compressed data is corrupt or truncated.</summary>
    public bool IsCorruptionError(Exception exception) =>
        Compression != ObjectCompression.None && exception is InvalidDataException or ZstdException or EndOfStreamException;
}
