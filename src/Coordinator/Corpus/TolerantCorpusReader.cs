using System.Runtime.CompilerServices;
using ModernBert.Inputs;
using ModernBert.Storage;

namespace ModernBert.Coordinator.Corpus;

/// <summary>
/// Streams a corpus like <see cref="CorpusReader"/>, except that an object that cannot be read (corrupt compressed
/// data, an unreadable Parquet file, an object gone since it was listed) does not end the stream: its records read
/// so far stay, a <see cref="MalformedInput"/> naming the object and the problem takes the place of the rest, and
/// reading goes on with the next object. Failures of the storage itself (after its retries) still end the stream.
/// </summary>
public sealed class TolerantCorpusReader(CorpusReader reader)
{
    public async IAsyncEnumerable<InputRecord> ReadAsync(IReadOnlyList<CorpusObject> objects,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (CorpusObject corpusObject in objects)
        {
            await using IAsyncEnumerator<InputRecord> records = reader.ReadAsync([corpusObject], cancellationToken).GetAsyncEnumerator(cancellationToken);
            bool more = true;
            while (more)
            {
                InputRecord record;
                try
                {
                    if (!await records.MoveNextAsync())
                        break;
                    record = records.Current;
                }
                catch (Exception e) when (e is InvalidDataException or ObjectNotFoundException or NotSupportedException)
                {
                    string origin = corpusObject.Store.Describe(corpusObject.Key);
                    record = new MalformedInput($"the object cannot be read; the rest of it is skipped: {WithoutOrigin(e.Message, origin)}", origin,
                        RestUnread: true);
                    more = false;
                }
                yield return record;
            }
        }
    }

    /// <summary>The readers' messages start with the object's name, which the record's origin already gives.</summary>
    private static string WithoutOrigin(string message, string origin) =>
        message.StartsWith(origin + ": ", StringComparison.Ordinal) ? message[(origin.Length + 2)..] : message;
}
