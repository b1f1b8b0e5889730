namespace ModernBert.Outputs;

/// <summary>
/// Where the CLI writes result rows: one file, published at its path only by <see cref="CompleteAsync"/>. Until then
/// rows go to a temporary file beside it, which disposing without completing deletes.
/// </summary>
public interface IResultSink : IAsyncDisposable
{
    Task WriteAsync(IReadOnlyList<ResultRow> rows, CancellationToken cancellationToken);

    Task CompleteAsync(CancellationToken cancellationToken);
}

public static class ResultSinks
{
    /// <summary>
    /// A sink for <paramref name="path"/> chosen by its extension: ".parquet" (with the options' compression and
    /// <paramref name="metadata"/> in the footer) or ".jsonl"/".ndjson"/".json" (JSON Lines, as inputs and tokenize's output
    /// take a .json file), each holding <paramref name="schema"/>'s rows.
    /// </summary>
    public static IResultSink Create(string path, ResultSchema schema, OutputOptions options, IReadOnlyDictionary<string, string>? metadata = null)
    {
        string extension = Path.GetExtension(path).ToLowerInvariant();
        return extension switch
        {
            ".parquet" => new ParquetResultSink(path, schema, options.Compression, metadata),
            ".jsonl" or ".ndjson" or ".json" => new JsonLinesResultSink(path, schema),
            _ => throw new ArgumentException($"Output file {path} must end in .parquet (Parquet) or .jsonl, .ndjson or .json (JSON Lines).", nameof(path)),
        };
    }
}
