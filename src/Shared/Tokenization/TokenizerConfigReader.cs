using System.Text.Json;

namespace ModernBert.Tokenization;

/// <summary>The names of the tokens that open and close a text (cls_token, sep_token), null where the file names none.</summary>
internal sealed record SpecialTokenNames(string? Cls, string? Sep);

/// <summary>Reads the special token names (cls_token, sep_token) of a transformers tokenizer_config.json.</summary>
internal static class TokenizerConfigReader
{
    /// <summary>The names in <paramref name="path"/>; null where the file or an entry is absent.</summary>
    /// <exception cref="InvalidDataException">The file is not JSON or an entry is neither a string nor an object with "content".</exception>
    public static SpecialTokenNames Read(string path)
    {
        if (!File.Exists(path))
            return new SpecialTokenNames(null, null);
        using JsonDocument document = JsonFile.Parse(path);
        JsonElement root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{path}: the root is not a JSON object.");
        return new SpecialTokenNames(ReadName(root, "cls_token", path), ReadName(root, "sep_token", path));
    }

    /// <summary>A token given as "[CLS]" or, in older files, as {"__type": "AddedToken", "content": "[CLS]", ...}.</summary>
    private static string? ReadName(JsonElement root, string key, string path)
    {
        if (!root.TryGetProperty(key, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind == JsonValueKind.String)
            return value.GetString();
        if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("content", out JsonElement content)
            && content.ValueKind == JsonValueKind.String)
            return content.GetString();
        throw new InvalidDataException($"{path}: {key} is neither a string nor an object with a \"content\" string.");
    }
}
