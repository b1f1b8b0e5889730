using System.Diagnostics.CodeAnalysis;

namespace ModernBert.Tokenization;

/// <summary>
/// The ids of words seen before, for one thread (not thread-safe). Bounded: long words are not kept, and the cache
/// starts over when it is full, which keeps the frequent words without bookkeeping per lookup.
/// </summary>
internal sealed class WordIdsCache
{
    public const int MaxWordLength = 64;
    public const int Capacity = 1 << 15;

    private readonly Dictionary<string, int[]> _idsByWord = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _idsBySpan;

    public WordIdsCache() => _idsBySpan = _idsByWord.GetAlternateLookup<ReadOnlySpan<char>>();

    public int Count => _idsByWord.Count;

    public bool TryGet(ReadOnlySpan<char> word, [MaybeNullWhen(false)] out int[] ids) => _idsBySpan.TryGetValue(word, out ids);

    public void Add(ReadOnlySpan<char> word, int[] ids)
    {
        if (word.Length > MaxWordLength)
            return;
        if (_idsByWord.Count == Capacity)
            _idsByWord.Clear();
        _idsBySpan[word] = ids;
    }
}
