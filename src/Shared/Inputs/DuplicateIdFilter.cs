using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ModernBert.Inputs;

/// <summary>
/// Turns the second and later documents with an id already seen into <see cref="MalformedInput"/>s. It remembers a
/// 64-bit XxHash3 of each id (about 20 bytes a document in a <see cref="HashSet{T}"/>), not the id itself. Two
/// different ids share a hash with probability about n²/2⁶⁵ for n documents (3e-6 for ten million, 3e-4 for a
/// hundred million); such a collision would report a unique document as a duplicate.
/// Keep one instance for a whole pass over the corpus; it is not thread-safe.
/// </summary>
public sealed class DuplicateIdFilter
{
    private readonly HashSet<ulong> _seen = [];

    /// <summary>How many distinct ids it has seen.</summary>
    public int DistinctIds => _seen.Count;

    public async IAsyncEnumerable<InputRecord> FilterAsync(IAsyncEnumerable<InputRecord> records,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (InputRecord record in records.WithCancellation(cancellationToken))
        {
            if (record is InputDocument document && !_seen.Add(Hash(document.Id)))
                yield return new MalformedInput($"duplicate id '{document.Id}': an earlier document has the same id", document.Origin);
            else
                yield return record;
        }
    }

    private static ulong Hash(string id) => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(id.AsSpan()));
}
