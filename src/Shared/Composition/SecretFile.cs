namespace ModernBert.Composition;

/// <summary>A secret read from a file (a Kubernetes Secret mounted as a volume), which its <c>*File</c> setting names.</summary>
public static class SecretFile
{
    /// <param name="setting">The setting that names the file (<c>Broker:PasswordFile</c>), for the error.</param>
    /// <param name="secret">What the file holds (the broker password), for the error.</param>
    /// <returns>The file's text, trimmed.</returns>
    /// <exception cref="ConfigurationException">The file cannot be read, or holds only white space.</exception>
    public static string Read(string path, string setting, string secret)
    {
        string value;
        try
        {
            value = File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"Cannot read {secret} from {path} ({setting}): {e.Message}", e);
        }
        return value.Length > 0 ? value : throw new ConfigurationException($"The file {path} ({setting}) is empty.");
    }
}
