namespace ModernBert.Storage;

/// <summary>A storage location that is malformed, or that the configuration gives no way to reach.</summary>
public sealed class StorageLocationException(string location, string problem)
    : ModernBertException($"Storage location '{location}': {problem}")
{
    public string Location { get; } = location;
}
