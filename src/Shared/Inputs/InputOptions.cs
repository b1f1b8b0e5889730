using Microsoft.Extensions.Configuration;

namespace ModernBert.Inputs;

/// <summary>
/// The field (JSON Lines) or column (Parquet) names a corpus uses, bound from the configuration section
/// <see cref="SectionName"/>.
/// </summary>
public sealed record InputOptions
{
    public const string SectionName = "Input";

    /// <summary>The document id: a JSON string or number, or a string/int32/int64 Parquet column.</summary>
    public string IdField { get; set; } = "id";

    /// <summary>The document text: a JSON string or a string Parquet column.</summary>
    public string TextField { get; set; } = "text";

    /// <summary>Pre-tokenized ids: a JSON array of non-negative integers or a Parquet list of int32/int64.</summary>
    public string InputIdsField { get; set; } = "input_ids";

    /// <summary>The second text of a pair (a JSON string or a string Parquet column), read when present.</summary>
    public string TextPairField { get; set; } = "text_pair";

    /// <summary>Throws <see cref="ConfigurationException"/> when a name is empty or two of them are the same.</summary>
    public void Validate()
    {
        (string Key, string Value)[] names = [(nameof(IdField), IdField), (nameof(TextField), TextField), (nameof(InputIdsField), InputIdsField), (nameof(TextPairField), TextPairField)];
        foreach ((string key, string value) in names)
        {
            if (string.IsNullOrWhiteSpace(value))
                throw new ConfigurationException($"{SectionName}:{key} must not be empty.");
        }
        if (names.Select(name => name.Value).Distinct(StringComparer.Ordinal).Count() != names.Length)
            throw new ConfigurationException(
                $"{SectionName}:{nameof(IdField)}, {nameof(TextField)}, {nameof(InputIdsField)} and {nameof(TextPairField)} must differ; they are '{IdField}', '{TextField}', '{InputIdsField}' and '{TextPairField}'.");
    }
}
