using Snappier;
using ZstdSharp;

namespace ModernBert.Outputs.ParquetFormat;

/// <summary>Compresses and decompresses page data with the codecs result files use.</summary>
internal static class PageCompression
{
    private const int ZstdLevel = 3;

    public static ReadOnlyMemory<byte> Compress(CompressionCodec codec, ReadOnlyMemory<byte> data)
    {
        switch (codec)
        {
            case CompressionCodec.Uncompressed:
                return data;
            case CompressionCodec.Snappy:
                return Snappy.CompressToArray(data.Span);
            case CompressionCodec.Zstd:
                using (var compressor = new Compressor(ZstdLevel))
                    return compressor.Wrap(data.Span).ToArray();
            default:
                throw new ArgumentOutOfRangeException(nameof(codec), codec, "Unsupported compression codec.");
        }
    }

    public static ReadOnlyMemory<byte> Decompress(CompressionCodec codec, ReadOnlyMemory<byte> data, int uncompressedSize)
    {
        if (codec == CompressionCodec.Uncompressed)
        {
            if (data.Length != uncompressedSize)
                throw new InvalidDataException($"An uncompressed page holds {data.Length} bytes but its header says {uncompressedSize}.");
            return data;
        }
        byte[] output = new byte[uncompressedSize];
        int written = codec switch
        {
            CompressionCodec.Snappy => Snappy.Decompress(data.Span, output),
            CompressionCodec.Zstd => DecompressZstd(data.Span, output),
            _ => throw new InvalidDataException($"Compression codec {codec} is not one result files use (none, snappy, zstd)."),
        };
        if (written != uncompressedSize)
            throw new InvalidDataException($"A {codec} page decompressed to {written} bytes but its header says {uncompressedSize}.");
        return output;
    }

    private static int DecompressZstd(ReadOnlySpan<byte> data, Span<byte> output)
    {
        using var decompressor = new Decompressor();
        return decompressor.Unwrap(data, output);
    }
}
