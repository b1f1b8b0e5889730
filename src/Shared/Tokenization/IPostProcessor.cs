namespace ModernBert.Tokenization;

/// <summary>
/// The last step of encoding (Hugging Face's post-processor): adds the special tokens of the single or pair
/// template and sets the type ids. Its input encodings carry type id 0 (first text) or 1 (second text) and
/// sequence id 0 or 1, as tokenizers' <c>encode_single_sequence</c> gives them.
/// </summary>
internal interface IPostProcessor
{
    /// <summary>The ids a single text is wrapped in ([CLS] before, [SEP] after): every supported template's single form.</summary>
    int[] SingleIdsBefore { get; }

    /// <inheritdoc cref="SingleIdsBefore"/>
    int[] SingleIdsAfter { get; }

    /// <summary>How many special tokens the template adds to one text or to a pair.</summary>
    int AddedTokenCount(bool pair);

    /// <summary>The encoding of one text or of a pair, with the special tokens when <paramref name="addSpecialTokens"/>.</summary>
    TokenEncoding Process(TokenEncoding first, TokenEncoding? second, bool addSpecialTokens);
}
