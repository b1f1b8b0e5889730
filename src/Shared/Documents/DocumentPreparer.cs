using ModernBert.Inference;
using ModernBert.Inputs;
using ModernBert.Modeling;
using ModernBert.Tokenization;

namespace ModernBert.Documents;

/// <summary>
/// A corpus record made ready for the model: the chunks of a document (one, or its windows when it is longer than
/// the model's maximum), or the reason it cannot be used. <see cref="Origin"/> names where the record came from.
/// </summary>
public sealed record PreparedDocument(string Origin, IReadOnlyList<DocumentChunk> Chunks, string? Problem)
{
    public long TokenCount => Chunks.Sum(chunk => (long)chunk.InputIds.Length);
}

/// <summary>
/// Turns corpus records into model inputs: pre-tokenized ids are taken as they are (they win over text when a record
/// has both), text goes through the checkpoint's tokenizer; documents longer than the model's maximum are split into
/// windows; every chunk is checked against the model (vocabulary, length). Thread-safe.
/// </summary>
public sealed class DocumentPreparer
{
    private readonly ModernBertTokenizer _tokenizer;
    private readonly ModernBertConfig _config;
    private readonly DocumentWindows _windows;

    /// <param name="windowOverlap">Tokens that consecutive windows of a long document share.</param>
    /// <exception cref="ArgumentOutOfRangeException">The overlap is negative or leaves no room for a window to advance.</exception>
    public DocumentPreparer(ModernBertTokenizer tokenizer, ModernBertConfig config, int windowOverlap)
    {
        _tokenizer = tokenizer;
        _config = config;
        _windows = new DocumentWindows(config.MaxPositionEmbeddings, windowOverlap, tokenizer.ClsTokenId, tokenizer.SepTokenId);
    }

    public PreparedDocument Prepare(InputRecord record)
    {
        switch (record)
        {
            case MalformedInput malformed:
                return Rejected(malformed.Origin, malformed.Reason);
            case InputDocument document:
                int[] ids;
                if (document.InputIds is int[] given)
                {
                    ids = given;
                }
                else
                {
                    try
                    {
                        ids = _tokenizer.Encode(document.Text!);
                    }
                    catch (ArgumentException e)
                    {
                        return Rejected(document.Origin, $"the text of document '{document.Id}' is not valid Unicode: {e.Message}");
                    }
                }
                DocumentChunk[] chunks = [.. _windows.Split(document.Id, ids)];
                foreach (DocumentChunk chunk in chunks)
                {
                    if (ChunkValidation.Problem(chunk, _config) is string problem)
                        return Rejected(document.Origin, chunks.Length == 1
                            ? $"document '{document.Id}' cannot be read by the model: {problem}"
                            : $"window {chunk.Chunk} of document '{document.Id}' cannot be read by the model: {problem}");
                }
                return new PreparedDocument(document.Origin, chunks, null);
            default:
                throw new ArgumentException($"Unknown record type {record.GetType().Name} from {record.Origin}.", nameof(record));
        }
    }

    private static PreparedDocument Rejected(string origin, string problem) => new(origin, [], problem);
}
