using ModernBert.Documents;
using ModernBert.Tokenization;

namespace ModernBert.Coordinator.Corpus;

/// <summary>
/// The chunks of a text with each token's span in the text (<see cref="TokenAlignment"/>), for tasks that report
/// character spans: the windows of <see cref="DocumentWindows"/>, each with its tokens' offsets in the document (not
/// the window), whether each token continues a word, and the tokens it decides.
/// </summary>
internal sealed class AlignedDocuments(ModernBertTokenizer tokenizer, DocumentWindows windows)
{
    /// <exception cref="ArgumentException">The text cannot be tokenized.</exception>
    public DocumentChunk[] Split(string id, string text)
    {
        TokenEncoding encoding = tokenizer.Encode(text, null);
        DocumentChunk[] chunks = [.. windows.Split(id, encoding.Ids)];
        bool[] subword = Subwords(text, encoding);
        if (chunks.Length == 1)
        {
            int first = Array.IndexOf(encoding.SequenceIds, (sbyte)0);
            int last = Array.LastIndexOf(encoding.SequenceIds, (sbyte)0);
            int[] offsets = new int[2 * encoding.Length];
            for (int i = 0; i < encoding.Length; i++)
                (offsets[2 * i], offsets[2 * i + 1]) = (encoding.Offsets[i].Start, encoding.Offsets[i].End);
            return [chunks[0] with { Alignment = new TokenAlignment(offsets, subword, Math.Max(first, 0), last + 1) }];
        }
        int contentStart = windows.ContentStart(encoding.Ids);
        for (int c = 0; c < chunks.Length; c++)
        {
            DocumentChunk chunk = chunks[c];
            int length = chunk.InputIds.Length;
            int[] offsets = new int[2 * length];
            bool[] continues = new bool[length];
            // Windows hold [CLS], the document's tokens [TokenStart, TokenEnd), [SEP].
            for (int i = 1; i < length - 1; i++)
            {
                int token = contentStart + chunk.TokenStart + i - 1;
                (offsets[2 * i], offsets[2 * i + 1]) = (encoding.Offsets[token].Start, encoding.Offsets[token].End);
                continues[i] = subword[token];
            }
            int decidedEnd = c == chunks.Length - 1 ? chunk.TokenEnd : windows.DecidedStart(windows.NextWindowStart(chunk.TokenStart));
            chunks[c] = chunk with
            {
                Alignment = new TokenAlignment(offsets, continues,
                    1 + windows.DecidedStart(chunk.TokenStart) - chunk.TokenStart, 1 + decidedEnd - chunk.TokenStart),
            };
        }
        return chunks;
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
