using System.Text.Json;

namespace ModernBert.Tokenization;

/// <summary>The names of the special tokens that the model relies on.</summary>
internal sealed record SpecialTokenNames(string Cls, string Sep, string Pad)
{
    /// <summary>ModernBERT's names, used where a checkpoint has no tokenizer_config.json or leaves one out.</summary>
    public static SpecialTokenNames ModernBertDefaults { get; } = new("[CLS]", "[SEP]", "[PAD]");
}

/// <summary>Reads the special token names (cls_token, sep_token, pad_token) of a transformers tokenizer_config.json.</summary>
internal static class TokenizerConfigReader
{
    /// <summary>The names in <paramref name="path"/>, or ModernBERT's defaults where the file or an entry is absent.</summary>
    /// <exception cref="InvalidDataException">The file is not JSON or an entry is neither a string nor an object with "content".</exception>
    public static SpecialTokenNames Read(string path)
    {
        SpecialTokenNames defaults = SpecialTokenNames.ModernBertDefaults;
        if (!File.Exists(path))
            return defaults;
        using JsonDocument document = JsonFile.Parse(path);
        JsonElement root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{path}: the root is not a JSON object.");
        return new SpecialTokenNames(
            ReadName(root, "cls_token", path) ?? defaults.Cls,
            ReadName(root, "sep_token", path) ?? defaults.Sep,
            ReadName(root, "pad_token", path) ?? defaults.Pad);
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
