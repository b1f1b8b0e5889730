using System.Text.Json;

namespace ModernBert.Tokenization;

/// <summary>Parses a JSON file, reporting a file that is not JSON with its path.</summary>
internal static class JsonFile
{
    /// <exception cref="InvalidDataException">The file is not valid JSON.</exception>
    public static JsonDocument Parse(string path)
    {
        using FileStream stream = File.OpenRead(path);
        try
        {
            return JsonDocument.Parse(stream);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON: {e.Message}", e);
        }
    }
}
