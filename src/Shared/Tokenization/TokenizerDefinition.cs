namespace ModernBert.Tokenization;

/// <summary>What a byte-level BPE tokenizer.json describes, checked and ready to build a tokenizer from.</summary>
/// <param name="Vocabulary">The BPE model's vocabulary (token string to id).</param>
/// <param name="Merges">The BPE merges in priority order, each as "left right".</param>
/// <param name="UnknownToken">The model's unknown token, if any.</param>
/// <param name="FuseUnknownTokens">Whether consecutive unknown characters become one unknown token.</param>
/// <param name="AddedTokens">The added tokens (special and not), in file order.</param>
/// <param name="NormalizeToNfc">True when the normalizer is NFC; false when there is none.</param>
/// <param name="PostProcessor">The post-processor template (special tokens and type ids).</param>
internal sealed record TokenizerDefinition(
    IReadOnlyDictionary<string, int> Vocabulary,
    IReadOnlyList<string> Merges,
    string? UnknownToken,
    bool FuseUnknownTokens,
    IReadOnlyList<AddedToken> AddedTokens,
    bool NormalizeToNfc,
    IPostProcessor PostProcessor);
