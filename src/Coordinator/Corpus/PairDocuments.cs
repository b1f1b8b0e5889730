using ModernBert.Documents;
using ModernBert.Inputs;
using ModernBert.Tokenization;

namespace ModernBert.Coordinator.Corpus;

/// <summary>
/// The chunks of a pair record (<see cref="PairEncoding"/>): the two texts in the tokenizer's pair template with its
/// type ids, cut to the model's window with the pair's truncation strategy (as Hugging Face truncates), or, with
/// <see cref="PairOverflow.Window"/>, the second text cut into windows that each repeat the whole first text. A chunk's
/// [TokenStart, TokenEnd) counts the second text's tokens it holds. A pre-tokenized pair (input ids of the whole pair)
/// is taken as given when it fits the window: without the texts it can be neither truncated nor windowed.
/// </summary>
internal sealed class PairDocuments(ModernBertTokenizer tokenizer, DocumentWindows windows, PairEncoding pairs)
{
    /// <summary>The separators the tokenizer's pair template puts around and between the texts ([SEP] twice for ModernBERT's).</summary>
    private readonly int _pairSeparators = tokenizer.Encode("", "").Ids.Count(id => id == tokenizer.SepTokenId);

    /// <summary>The chunks of the pair, or why it has none.</summary>
    public (DocumentChunk[]? Chunks, string? Problem) Split(InputDocument document)
    {
        if (document.InputIds is { } ids)
        {
            if (ids.Count(id => id == tokenizer.SepTokenId) < _pairSeparators)
                return (null, $"the pre-tokenized ids hold fewer [SEP] than the tokenizer's pair template ({_pairSeparators}): they are one text, not a pair");
            return ids.Length <= windows.MaxTokens
                ? ([new DocumentChunk(document.Id, 0, 0, ids.Length, ids)], null)
                : (null, $"the pre-tokenized pair has {ids.Length} tokens, more than the model's window of {windows.MaxTokens}; give its texts to have it truncated or windowed");
        }
        if (document.Text is null || document.TextPair is null)
            return (null, $"a pair needs two texts, and the record has only its {(document.Text is null ? "second" : "first")}");
        try
        {
            return pairs.Overflow == PairOverflow.Truncate ? ([Truncated(document)], null) : Windowed(document);
        }
        catch (ArgumentException e)
        {
            return (null, $"the pair cannot be tokenized: {e.Message}");
        }
    }

    private DocumentChunk Truncated(InputDocument document)
    {
        TokenEncoding encoding = tokenizer.Encode(document.Text!, document.TextPair, addSpecialTokens: true,
            new Truncation(windows.MaxTokens, pairs.Truncation));
        return new DocumentChunk(document.Id, 0, 0, encoding.SequenceIds.Count(sequence => sequence == 1), encoding.Ids);
    }

    private (DocumentChunk[]? Chunks, string? Problem) Windowed(InputDocument document)
    {
        TokenEncoding first = tokenizer.Encode(document.Text!, null, addSpecialTokens: false);
        TokenEncoding second = tokenizer.Encode(document.TextPair!, null, addSpecialTokens: false);
        int room = windows.MaxTokens - tokenizer.AddedTokenCount(pair: true) - first.Length;
        if (first.Length + second.Length + tokenizer.AddedTokenCount(pair: true) <= windows.MaxTokens)
            return ([new DocumentChunk(document.Id, 0, 0, second.Length, tokenizer.ApplyTemplate(first, second).Ids)], null);
        if (room <= windows.Overlap)
            return (null, $"the first text has {first.Length} tokens, which leave {Math.Max(room, 0)} of the model's window of " +
                $"{windows.MaxTokens} for the second text, not more than the window overlap of {windows.Overlap}");
        var chunks = new List<DocumentChunk>();
        for (int start = 0; ; start += room - windows.Overlap)
        {
            int end = Math.Min(start + room, second.Length);
            TokenEncoding window = tokenizer.ApplyTemplate(first, Slice(second, start, end));
            chunks.Add(new DocumentChunk(document.Id, chunks.Count, start, end, window.Ids));
            if (end == second.Length)
                return ([.. chunks], null);
        }
    }

    private static TokenEncoding Slice(TokenEncoding encoding, int start, int end) => new(
        encoding.Ids[start..end], encoding.TypeIds[start..end], encoding.Offsets[start..end], encoding.SequenceIds[start..end]);
}
