namespace ModernBert.Inputs;

/// <summary>One record read from a corpus. <see cref="Origin"/> names where it came from, e.g. "corpus.jsonl:42".</summary>
public abstract record InputRecord(string Origin);

/// <summary>
/// A document with its text or its pre-tokenized ids (as produced by <c>modernbert tokenize</c>); a pair's record that
/// lacks its first text has only <see cref="TextPair"/>, for the pair's task to reject.
/// </summary>
public sealed record InputDocument(string Id, string? Text, int[]? InputIds, string Origin) : InputRecord(Origin)
{
    /// <summary>
    /// The second text of a pair (<c>Input:TextPairField</c>), e.g. the passage of a query/passage pair; null for a
    /// single text. A pre-tokenized pair has none: its <see cref="InputIds"/> hold the whole pair as the tokenizer's
    /// pair template puts it ([CLS] a [SEP] b [SEP], what <c>modernbert tokenize</c> writes for a pair).
    /// </summary>
    public string? TextPair { get; init; }

    /// <summary>
    /// The JSON Lines line the document was read from (UTF-8, without its newline), when the reader was asked to keep
    /// it (<c>modernbert tokenize</c> writes it back with the ids added); null otherwise.
    /// </summary>
    public byte[]? JsonLine { get; init; }
}

/// <summary>A record that could not be read as a document; the run reports it and goes on.</summary>
/// <param name="RestUnread">Whether it stands for the rest of an object that could not be read, not for one record.</param>
public sealed record MalformedInput(string Reason, string Origin, bool RestUnread = false) : InputRecord(Origin);
