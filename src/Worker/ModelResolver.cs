namespace ModernBert.Worker;

/// <summary>Turns a job's model reference into a local model folder.</summary>
public class ModelResolver
{
    public virtual Task<string> ResolveAsync(string reference, string? revision, CancellationToken cancellationToken) =>
        Directory.Exists(reference)
            ? Task.FromResult(reference)
            : throw new DirectoryNotFoundException($"Model folder {reference} does not exist.");
}
