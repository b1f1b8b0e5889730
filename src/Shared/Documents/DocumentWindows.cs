namespace ModernBert.Documents;

/// <summary>
/// Splits documents longer than the model's maximum into windows. Each window holds at most
/// <c>maxTokens - 2</c> of the document's tokens, wrapped in its own [CLS] ... [SEP]; consecutive windows share
/// <see cref="Overlap"/> tokens. A document that fits is one chunk, with its ids exactly as given.
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
    /// The first document token (counted without [CLS]) that the window starting at <paramref name="windowStart"/>
    /// decides: of two windows sharing <see cref="Overlap"/> tokens, a token is decided by the one where it is farther
    /// from the window's edge, the earlier window on a tie. The first window decides from its start.
    /// </summary>
    public int DecidedStart(int windowStart) => windowStart == 0 ? 0 : windowStart + (Overlap + 1) / 2;

    /// <summary>The start of the next window after the one starting at <paramref name="windowStart"/>.</summary>
    public int NextWindowStart(int windowStart) => windowStart + _maxTokens - 2 - Overlap;

    /// <summary>
    /// The chunks of a document given as the model's full input (as the tokenizer encodes it, or as given
    /// pre-tokenized). Leading [CLS] and trailing [SEP] are not counted as document tokens.
    /// </summary>
    public IEnumerable<DocumentChunk> Split(string id, int[] inputIds)
    {
        int start = ContentStart(inputIds);
        int end = inputIds.Length > start && inputIds[^1] == _sepTokenId ? inputIds.Length - 1 : inputIds.Length;
        int contentLength = end - start;
        if (inputIds.Length <= _maxTokens)
        {
            yield return new DocumentChunk(id, 0, 0, contentLength, inputIds);
            yield break;
        }

        int windowTokens = _maxTokens - 2;
        int chunk = 0;
        for (int windowStart = 0; ; windowStart = NextWindowStart(windowStart))
        {
            int windowEnd = Math.Min(windowStart + windowTokens, contentLength);
            var ids = new int[windowEnd - windowStart + 2];
            ids[0] = _clsTokenId;
            Array.Copy(inputIds, start + windowStart, ids, 1, windowEnd - windowStart);
            ids[^1] = _sepTokenId;
            yield return new DocumentChunk(id, chunk++, windowStart, windowEnd, ids);
            if (windowEnd == contentLength)
                yield break;
        }
    }
}
