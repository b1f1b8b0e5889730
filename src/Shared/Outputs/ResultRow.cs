namespace ModernBert.Outputs;

/// <summary>
/// One output row: a document, or one window of a long document. <see cref="TokenStart"/> and
/// <see cref="TokenEnd"/> bound the window's tokens, [start, end), within the document's tokens without [CLS]/[SEP].
/// Each task's row type (in its folder under Tasks/) adds the task's values.
/// </summary>
public abstract record ResultRow(string Id, int Chunk, int TokenStart, int TokenEnd);
