namespace ModernBert.Documents;

/// <summary>
/// Where a chunk's tokens are in its document's text, for tasks that report character spans (token classification).
/// <see cref="Offsets"/> holds two numbers per input id, start and end in code points of the document's text (Python's string indices)
/// ([CLS]/[SEP]: 0, 0); <see cref="Subword"/> says per input id whether the token continues the word before it (Hugging
/// Face's <c>is_subword</c>, decided where the text is); [<see cref="DecidedStart"/>, <see cref="DecidedEnd"/>) are the
/// input ids this chunk decides: every token of a document is decided by one of its windows, so that it is reported
/// once.
/// </summary>
public sealed record TokenAlignment(int[] Offsets, bool[] Subword, int DecidedStart, int DecidedEnd);
