namespace ModernBert.Documents;

/// <summary>
/// A model input: a whole document, or one window of a long one. <see cref="InputIds"/> is what the model reads,
/// [CLS] and [SEP] included; [<see cref="TokenStart"/>, <see cref="TokenEnd"/>) is the span of the document's
/// tokens (counted without [CLS]/[SEP]) that it covers.
/// </summary>
public sealed record DocumentChunk(string Id, int Chunk, int TokenStart, int TokenEnd, int[] InputIds)
{
    /// <summary>The tokens' spans in the document's text, for tasks whose <see cref="Tasks.TaskTokenization.Alignments"/> ask for them; else null.</summary>
    public TokenAlignment? Alignment { get; init; }

    /// <summary>
    /// How many of the first tokens other tokens attend to; the tokens after them (a query's [MASK] expansion, when the
    /// model does not attend to it) attend but are not attended to. Null: every token is attended.
    /// </summary>
    public int? AttendedTokens { get; init; }
}
