namespace ModernBert.Coordinator.Cli;

/// <summary>
/// Turns a <c>--model</c> argument into the local checkpoint folder to load: the one place where model references
/// are resolved (Hugging Face hub ids will be resolved here too).
/// </summary>
internal static class ModelLocator
{
    /// <exception cref="DirectoryNotFoundException">The argument names no local folder.</exception>
    public static Task<string> ResolveAsync(string model, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string folder = Path.GetFullPath(model);
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"Model folder not found: {folder} (give a local checkpoint folder with config.json, the weights and tokenizer.json).");
        return Task.FromResult(folder);
    }
}
