namespace ModernBert.Tokenization.Normalizers;

/// <summary>A normalizer of tokenizer.json: changes a text in place, keeping each character's span in the original.</summary>
internal interface INormalizer
{
    void Normalize(NormalizedText text);
}
