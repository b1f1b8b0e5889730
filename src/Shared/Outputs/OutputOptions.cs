namespace ModernBert.Outputs;

/// <summary>How result files are written; bound from the configuration section <see cref="SectionName"/>.</summary>
public sealed class OutputOptions
{
    public const string SectionName = "Output";

    /// <summary>A part file takes no further commits once its committed length reaches this many bytes.</summary>
    public long TargetFileBytes { get; set; } = 128L * 1024 * 1024;

    /// <summary>
    /// A part file takes at most this many commits (row groups). Each commit leaves its footer behind as dead bytes,
    /// so this bounds them: a footer grows by about 50 bytes per column per row group, so n row groups leave about
    /// 25 × columns × n² bytes (0.5 MB for embeddings at the default).
    /// </summary>
    public int MaxRowGroupsPerFile { get; set; } = 64;

    /// <summary>The Parquet page codec.</summary>
    public ParquetCompression Compression { get; set; } = ParquetCompression.Zstd;

    /// <summary>Throws <see cref="ConfigurationException"/> naming the configuration key of the first invalid setting.</summary>
    public void Validate()
    {
        if (TargetFileBytes <= 0)
            throw new ConfigurationException($"{SectionName}:{nameof(TargetFileBytes)} must be positive, not {TargetFileBytes}.");
        if (MaxRowGroupsPerFile <= 0)
            throw new ConfigurationException($"{SectionName}:{nameof(MaxRowGroupsPerFile)} must be positive, not {MaxRowGroupsPerFile}.");
        if (!Enum.IsDefined(Compression))
            throw new ConfigurationException($"{SectionName}:{nameof(Compression)} must be Zstd, Snappy or None, not {Compression}.");
    }
}

/// <summary>
/// Parquet page compression. Zstd is the default: it compresses ids and float data better than Snappy at similar
/// speed (level 3), and every current reader (Arrow, DuckDB, Spark 3, Polars, Parquet.Net) decodes it.
/// </summary>
public enum ParquetCompression
{
    Zstd,
    Snappy,
    None,
}
