using System.Text;

namespace ModernBert.Tokenization.Normalizers;

/// <summary>NFC, NFD, NFKC or NFKD (tokenizers/src/normalizers/unicode.rs), on the Unicode 9.0 tables tokenizers has.</summary>
internal sealed class UnicodeFormNormalizer(bool compatibility, bool compose) : INormalizer
{
    /// <summary>NFD.</summary>
    public static UnicodeFormNormalizer Nfd { get; } = new(compatibility: false, compose: false);

    public void Normalize(NormalizedText text)
    {
        // ASCII is the same in every form.
        if (Ascii.IsValid(text.Text) || compose && !compatibility && !NfcNormalizer.MayNeedNormalization(text.Text))
            return;
        text.Transform(NfcNormalizer.NormalizeWithChanges(text.Text, compatibility, compose), initialOffset: 0);
    }
}
