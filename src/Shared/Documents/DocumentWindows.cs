namespace ModernBert.Documents;

/// <summary>
/// Splits documents longer than the model's maximum into windows. Each window holds at most
/// <c>maxTokens - 2</c> of the document's tokens, wrapped in its own [CLS] ... [SEP]; consecutive windows share
/// <see cref="Overlap"/> tokens. A document that fits is one chunk, with its ids exactly as given. A prefix (a prompt's
/// tokens) right after [CLS] starts every window and is not counted as document tokens.
/// </summary>
public sealed class DocumentWindows
{
    private readonly int _maxTokens;
    private readonly int _clsTokenId;
    private readonly int _sepTokenId;

    public DocumentWindows(int maxTokens, int overlap, int clsTokenId, int sepTokenId)
    {
        if (maxTokens < 3)
            throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens, "A window needs room for [CLS], [SEP] and a token.");
        if (overlap < 0 || overlap >= maxTokens - 2)
            throw new ArgumentOutOfRangeException(nameof(overlap), overlap, $"The overlap must be at least 0 and below {maxTokens - 2} tokens.");
        _maxTokens = maxTokens;
        Overlap = overlap;
        _clsTokenId = clsTokenId;
        _sepTokenId = sepTokenId;
    }

    public int Overlap { get; }

    /// <summary>The most tokens a chunk holds, special tokens included.</summary>
    public int MaxTokens => _maxTokens;

    /// <summary>The index of a document's first own token in its input ids: 1 after a leading [CLS], else 0.</summary>
    public int ContentStart(int[] inputIds) => inputIds.Length > 0 && inputIds[0] == _clsTokenId ? 1 : 0;

    /// <summary>
    /// Pre-tokenized ids as the model reads them: with [CLS] first and [SEP] last, added where missing, as every window
    /// of a long document has them (the same ids when both are there).
    /// </summary>
    public int[] Wrapped(int[] inputIds)
    {
        int start = ContentStart(inputIds), end = ContentEnd(inputIds, start);
        return start == 1 && end == inputIds.Length - 1 ? inputIds : [_clsTokenId, .. inputIds.AsSpan(start, end - start), _sepTokenId];
    }

    /// <summary>The index after a document's last own token, its content starting at <paramref name="start"/>: before a trailing [SEP].</summary>
    private int ContentEnd(int[] inputIds, int start) => inputIds.Length > start && inputIds[^1] == _sepTokenId ? inputIds.Length - 1 : inputIds.Length;

    /// <summary>The start of the next window after the one starting at <paramref name="windowStart"/>, each window repeating a prefix of <paramref name="prefixTokens"/>.</summary>
    private int NextWindowStart(int windowStart, int prefixTokens) => windowStart + _maxTokens - 2 - prefixTokens - Overlap;

    /// <summary>
    /// The chunks of a document given as the model's full input (as the tokenizer encodes it, or as given
    /// pre-tokenized). Leading [CLS] and trailing [SEP] are not counted as document tokens.
    /// </summary>
    /// <param name="prefixTokens">How many tokens after [CLS] are a prefix (a prompt) that every window repeats.</param>
    /// <exception cref="ArgumentException">The prefix leaves a window no room for the overlap and a token.</exception>
    public IReadOnlyList<DocumentChunk> Split(string id, int[] inputIds, int prefixTokens = 0)
    {
        int prefixStart = ContentStart(inputIds);
        int start = Math.Min(prefixStart + prefixTokens, inputIds.Length);
        int end = ContentEnd(inputIds, start);
        int contentLength = end - start;
        if (inputIds.Length <= _maxTokens)
            return [new DocumentChunk(id, 0, 0, contentLength, inputIds)];

        int windowTokens = _maxTokens - 2 - prefixTokens;
        if (windowTokens - Overlap < 1)
            throw new ArgumentException($"A prefix of {prefixTokens} tokens leaves a window of {_maxTokens} tokens no room " +
                $"for the overlap of {Overlap} tokens and one more.", nameof(prefixTokens));
        var chunks = new List<DocumentChunk>();
        for (int windowStart = 0; ; windowStart = NextWindowStart(windowStart, prefixTokens))
        {
            int windowEnd = Math.Min(windowStart + windowTokens, contentLength);
            var ids = new int[prefixTokens + windowEnd - windowStart + 2];
            ids[0] = _clsTokenId;
            Array.Copy(inputIds, prefixStart, ids, 1, prefixTokens);
            Array.Copy(inputIds, start + windowStart, ids, 1 + prefixTokens, windowEnd - windowStart);
            ids[^1] = _sepTokenId;
            chunks.Add(new DocumentChunk(id, chunks.Count, windowStart, windowEnd, ids));
            if (windowEnd == contentLength)
                return chunks;
        }
    }
}
