using System.Runtime.CompilerServices;
using ModernBert.Storage;

namespace ModernBert.Inputs;

/// <summary>
/// One object of a corpus: where it is, and the key prefix that text documents' ids are relative to
/// (see <see cref="TextDocumentReader"/>).
/// </summary>
public sealed record CorpusObject(IObjectStore Store, string Key, string IdRoot);

/// <summary>
/// Streams the records of a corpus: the objects in the order given, each object's records in file order, each
/// object read with the reader its <see cref="CorpusFormat"/> picks. Reading the same objects again yields the same
/// sequence, which resuming a run relies on; the caller fixes the object order (e.g. ordinal key order).
/// </summary>
public sealed class CorpusReader
{
    private readonly JsonLinesReader _jsonLines;
    private readonly ParquetDocumentReader _parquet;
    private readonly TextDocumentReader _text = new();

    /// <param name="keepJsonLines">Whether documents read from JSON Lines carry their line (see <see cref="InputDocument.JsonLine"/>).</param>
    public CorpusReader(InputOptions options, bool keepJsonLines = false)
    {
        _jsonLines = new JsonLinesReader(options, keepJsonLines);
        _parquet = new ParquetDocumentReader(options);
    }

    public async IAsyncEnumerable<InputRecord> ReadAsync(IReadOnlyList<CorpusObject> objects,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (CorpusObject corpusObject in objects)
        {
            await foreach (InputRecord record in ReadObjectAsync(corpusObject, cancellationToken))
                yield return record;
        }
    }

    private async IAsyncEnumerable<InputRecord> ReadObjectAsync(CorpusObject corpusObject,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        (IObjectStore store, string key, string idRoot) = corpusObject;
        switch (CorpusFormat.Of(key).Layout)
        {
            case DocumentLayout.JsonLines:
                await foreach (InputRecord record in _jsonLines.ReadAsync(store, key, cancellationToken))
                    yield return record;
                break;
            case DocumentLayout.Parquet:
                await foreach (InputRecord record in _parquet.ReadAsync(store, key, cancellationToken))
                    yield return record;
                break;
            default:
                yield return await _text.ReadAsync(store, key, idRoot, cancellationToken);
                break;
        }
    }
}
