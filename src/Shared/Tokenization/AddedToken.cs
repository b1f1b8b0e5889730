namespace ModernBert.Tokenization;

/// <summary>
/// An entry of tokenizer.json's <c>added_tokens</c>: a string that is cut out of the text before the model sees it
/// and becomes <see cref="Id"/>, with the matching options of Hugging Face <c>tokenizers</c>.
/// </summary>
/// <param name="Id">The token id.</param>
/// <param name="Content">The string to find in the text.</param>
/// <param name="Special">A special token ([CLS], [SEP], ...). Matched like any added token when encoding.</param>
/// <param name="SingleWord">Matched only where no word character touches it on either side.</param>
/// <param name="LeftStrip">The match also takes the whitespace just before it.</param>
/// <param name="RightStrip">The match also takes the whitespace just after it.</param>
/// <param name="Normalized">Matched in the normalized text (true) or in the raw text before normalization (false).</param>
internal sealed record AddedToken(
    int Id, string Content, bool Special, bool SingleWord, bool LeftStrip, bool RightStrip, bool Normalized);
