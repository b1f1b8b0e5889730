namespace ModernBert.Outputs;

/// <summary>Key-value metadata that result files carry in their Parquet footer.</summary>
public static class ResultFileMetadata
{
    public const string ModelKey = "modernbert.model";
    public const string TaskKey = "modernbert.task";

    /// <summary>The footer entries for whichever of <paramref name="model"/> and <paramref name="task"/> are given.</summary>
    public static IReadOnlyDictionary<string, string> Create(string? model, string? task)
    {
        var metadata = new Dictionary<string, string>();
        if (!string.IsNullOrEmpty(model))
            metadata[ModelKey] = model;
        if (!string.IsNullOrEmpty(task))
            metadata[TaskKey] = task;
        return metadata;
    }
}
