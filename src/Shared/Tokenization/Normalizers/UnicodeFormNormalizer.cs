namespace ModernBert.Tokenization.Normalizers;

/// <summary>NFC, NFD, NFKC or NFKD (tokenizers/src/normalizers/unicode.rs), on the Unicode 9.0 tables tokenizers has.</summary>
internal sealed class UnicodeFormNormalizer(bool compatibility, bool compose) : INormalizer
{
    public void Normalize(NormalizedText text)
    {
        if (compose && !compatibility && !NfcNormalizer.MayNeedNormalization(text.Text))
            return;
        text.Transform(NfcNormalizer.NormalizeWithChanges(text.Text, compatibility, compose), initialOffset: 0);
    }
}
