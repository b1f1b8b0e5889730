using ModernBert.Documents;
using ModernBert.Tokenization;

namespace ModernBert.Coordinator.Corpus;

/// <summary>
/// The chunks of a text with each token's span in the text, in code points (<see cref="TokenAlignment"/>), for tasks
/// that report character spans: windows of at most <see cref="DocumentWindows.MaxTokens"/> tokens, each with its tokens' offsets in
/// the document (not the window), whether each token continues a word, and the tokens it decides. Windows keep words
/// whole where they can, so that a word's tokens are grouped in one window: windows that only meet end before the word
/// the boundary would cut if it starts in the window's second half, and windows sharing
/// <see cref="DocumentWindows.Overlap"/> tokens hand over at the word start in the overlap nearest its middle (its
/// middle when none starts there). A longer word is cut.
/// </summary>
internal sealed class AlignedDocuments(ModernBertTokenizer tokenizer, DocumentWindows windows)
{
    /// <exception cref="ArgumentException">The text cannot be tokenized.</exception>
    public DocumentChunk[] Split(string id, string text)
    {
        TokenEncoding encoding = tokenizer.Encode(text, null);
        bool[] subword = Subwords(text, encoding);
        encoding = encoding.InCodePoints(text, null);
        // The text's own tokens, between the template's [CLS] and [SEP].
        int first = Array.IndexOf(encoding.SequenceIds, (sbyte)0);
        int last = Array.LastIndexOf(encoding.SequenceIds, (sbyte)0);
        if (encoding.Length <= windows.MaxTokens)
        {
            int[] offsets = new int[2 * encoding.Length];
            for (int i = 0; i < encoding.Length; i++)
                (offsets[2 * i], offsets[2 * i + 1]) = (encoding.Offsets[i].Start, encoding.Offsets[i].End);
            DocumentChunk whole = windows.Split(id, encoding.Ids).Single();
            return [whole with { Alignment = new TokenAlignment(offsets, subword, Math.Max(first, 0), last + 1) }];
        }
        (int cls, int sep) = (tokenizer.ClsTokenId, tokenizer.SepTokenId);
        List<(int Start, int End, int DecidedFrom)> spans = Spans(last + 1 - first, token => !subword[first + token]);
        var aligned = new DocumentChunk[spans.Count];
        for (int c = 0; c < spans.Count; c++)
        {
            (int start, int end, int decidedFrom) = spans[c];
            int decidedTo = c == spans.Count - 1 ? end : spans[c + 1].DecidedFrom;
            int length = end - start + 2;
            int[] ids = new int[length];
            int[] offsets = new int[2 * length];
            bool[] continues = new bool[length];
            // Windows hold [CLS], the document's tokens [start, end), [SEP].
            (ids[0], ids[^1]) = (cls, sep);
            for (int i = 1; i < length - 1; i++)
            {
                int token = first + start + i - 1;
                ids[i] = encoding.Ids[token];
                (offsets[2 * i], offsets[2 * i + 1]) = (encoding.Offsets[token].Start, encoding.Offsets[token].End);
                continues[i] = subword[token];
            }
            aligned[c] = new DocumentChunk(id, c, start, end, ids)
            {
                Alignment = new TokenAlignment(offsets, continues, 1 + decidedFrom - start, 1 + decidedTo - start),
            };
        }
        return aligned;
    }

    /// <summary>The windows over a document's <paramref name="tokens"/> tokens: their spans and the first token each decides.</summary>
    private List<(int Start, int End, int DecidedFrom)> Spans(int tokens, Func<int, bool> startsWord)
    {
        int width = windows.MaxTokens - 2, overlap = windows.Overlap;
        var spans = new List<(int, int, int)>();
        for (int start = 0, decidedFrom = 0; ;)
        {
            int end = Math.Min(start + width, tokens);
            if (end == tokens)
            {
                spans.Add((start, end, decidedFrom));
                return spans;
            }
            int next, handOver;
            if (overlap == 0)
            {
                // Only in the window's second half: a text without spaces (Chinese, Japanese) has a word start only at
                // its beginning, which would leave the first window a token or two.
                int shortest = start + width / 2, wordStart = end;
                while (wordStart > shortest && !startsWord(wordStart))
                    wordStart--;
                end = next = handOver = wordStart > start && startsWord(wordStart) ? wordStart : end;
            }
            else
            {
                next = end - overlap;
                // The middle of the shared tokens; of an odd number, the earlier window decides the middle one.
                int middle = next + (overlap + 1) / 2;
                handOver = Enumerable.Range(next, overlap + 1).Where(startsWord)
                    .DefaultIfEmpty(middle).MinBy(token => (Math.Abs(token - middle), token));
            }
            spans.Add((start, end, decidedFrom));
            (start, decidedFrom) = (next, handOver);
        }
    }

    /// <summary>
    /// Whether each token continues the word before it, as transformers' TokenClassificationPipeline.gather_pre_entities
    /// decides for tokenizers without a continuing_subword_prefix (byte-level BPE, Unigram): a token starting after the
    /// text's first character, with no space just before it or at its start
    /// (<c>start_ind &gt; 0 and " " not in sentence[start_ind - 1 : start_ind + 1]</c>). Special tokens never do.
    /// </summary>
    internal static bool[] Subwords(string text, TokenEncoding encoding)
    {
        var subword = new bool[encoding.Length];
        for (int i = 0; i < subword.Length; i++)
        {
            int start = encoding.Offsets[i].Start;
            subword[i] = encoding.SequenceIds[i] >= 0 && start > 0 && text[start - 1] != ' ' && (start >= text.Length || text[start] != ' ');
        }
        return subword;
    }
}
