using ModernBert.Documents;
using ModernBert.Tokenization;

namespace ModernBert.Coordinator.Corpus;

/// <summary>
/// A query as PyLate's ColBERT.tokenize shapes it (pylate/models/colbert.py): one chunk, truncated to the query length
/// (its [SEP] kept) rather than windowed, and with query expansion padded with [MASK] to that length. Those [MASK]s
/// are padding to the tokenizer (PyLate makes [MASK] its pad token), so their attention mask is 0 unless
/// attend_to_expansion_tokens fills it with 1; such a query says how many of its tokens are attended.
/// </summary>
internal sealed class QueryShape(ModernBertTokenizer tokenizer, int length, bool expand, bool attendToExpansion)
{
    private readonly int _maskId = expand ? DocumentPrefixToken.SingleId(tokenizer, "[MASK]", "mask token") : -1;

    /// <param name="ids">The query's ids with [CLS], its prefix and [SEP].</param>
    /// <param name="prefixTokens">How many tokens after [CLS] are the prefix (not counted as the query's tokens).</param>
    public DocumentChunk Shape(string id, int[] ids, int prefixTokens)
    {
        int start = ids.Length > 0 && ids[0] == tokenizer.ClsTokenId ? 1 + prefixTokens : prefixTokens;
        bool separated = ids.Length > start && ids[^1] == tokenizer.SepTokenId;
        int[] shaped = ids.Length <= length ? ids : [.. ids.AsSpan(0, length - (separated ? 1 : 0)), .. separated ? [tokenizer.SepTokenId] : Array.Empty<int>()];
        // A prompt longer than the query length leaves no token of the query itself.
        int queryTokens = Math.Max(0, shaped.Length - start - (separated ? 1 : 0));
        if (_maskId < 0 || shaped.Length >= length)
            return new DocumentChunk(id, 0, 0, queryTokens, shaped);
        int attended = shaped.Length;
        shaped = [.. shaped, .. Enumerable.Repeat(_maskId, length - shaped.Length)];
        return new DocumentChunk(id, 0, 0, queryTokens, shaped) { AttendedTokens = attendToExpansion ? null : attended };
    }
}
