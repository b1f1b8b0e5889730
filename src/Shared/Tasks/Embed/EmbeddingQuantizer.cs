namespace ModernBert.Tasks.Embed;

/// <summary>
/// sentence-transformers' quantize_embeddings (sentence_transformers/quantization.py) for one embedding, computed in
/// float32 as numpy computes it on float32 embeddings and ranges: int8 and uint8 take each dimension's range
/// [min, max] in 255 steps and truncate toward zero (numpy's astype); values outside the range are clamped to it
/// (numpy would wrap them), and a dimension whose range is empty quantizes to its lowest step. binary and ubinary
/// are np.packbits of x &gt; 0 (big-endian bit order, the last byte padded with zeros), binary less 128.
/// </summary>
public sealed class EmbeddingQuantizer
{
    private readonly EmbeddingPrecision _precision;
    private readonly float[] _starts = [];
    private readonly float[] _steps = [];

    /// <exception cref="ArgumentException">int8/uint8 without ranges of <paramref name="dimensions"/> values each.</exception>
    public EmbeddingQuantizer(EmbeddingPrecision precision, int dimensions, float[][]? ranges)
    {
        _precision = precision;
        if (precision is not (EmbeddingPrecision.Int8 or EmbeddingPrecision.UInt8))
            return;
        if (ranges is not [float[] minimums, float[] maximums] || minimums.Length != dimensions || maximums.Length != dimensions)
            throw new ArgumentException($"{precision} needs ranges of two rows (minimums, maximums) of {dimensions} values, one per dimension.", nameof(ranges));
        _starts = minimums;
        _steps = [.. minimums.Zip(maximums, (min, max) => (max - min) / 255f)];
    }

    /// <summary>How many stored values an embedding of <paramref name="dimensions"/> takes.</summary>
    public static int StoredLength(EmbeddingPrecision precision, int dimensions) =>
        precision is EmbeddingPrecision.Binary or EmbeddingPrecision.UBinary ? (dimensions + 7) / 8 : dimensions;

    public int[] Quantize(ReadOnlySpan<float> embedding) => _precision switch
    {
        EmbeddingPrecision.Int8 => Buckets(embedding, -128),
        EmbeddingPrecision.UInt8 => Buckets(embedding, 0),
        EmbeddingPrecision.Binary => PackSigns(embedding, -128),
        EmbeddingPrecision.UBinary => PackSigns(embedding, 0),
        _ => throw new InvalidOperationException($"{_precision} is not a quantized precision."),
    };

    private int[] Buckets(ReadOnlySpan<float> embedding, int offset)
    {
        var values = new int[embedding.Length];
        for (int i = 0; i < values.Length; i++)
        {
            float bucket = _steps[i] > 0 ? (embedding[i] - _starts[i]) / _steps[i] : 0f;
            values[i] = (int)Math.Clamp(MathF.Truncate(bucket + offset), offset, offset + 255);
        }
        return values;
    }

    private static int[] PackSigns(ReadOnlySpan<float> embedding, int offset)
    {
        var values = new int[StoredLength(EmbeddingPrecision.UBinary, embedding.Length)];
        for (int i = 0; i < embedding.Length; i++)
        {
            if (embedding[i] > 0)
                values[i / 8] |= 0x80 >> (i % 8);
        }
        for (int i = 0; i < values.Length; i++)
            values[i] += offset;
        return values;
    }
}
