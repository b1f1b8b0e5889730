using System.Text;

namespace ModernBert.Tokenization.Models;

/// <summary>The options of a BPE model (tokenizer.json's model.*), as Hugging Face <c>tokenizers</c> reads them.</summary>
internal sealed record BpeOptions(
    string? UnknownToken = null,
    string? ContinuingSubwordPrefix = null,
    string? EndOfWordSuffix = null,
    bool FuseUnknown = false,
    bool ByteFallback = false,
    bool IgnoreMerges = false);

/// <summary>
/// Byte-pair encoding exactly as Hugging Face <c>tokenizers</c> 0.23 does it (tokenizers/src/models/bpe/model.rs,
/// merge_word and tokenize_with_cache; word.rs, merge_all): each character (with the continuing-subword prefix when
/// not first, the end-of-word suffix when last) becomes its token, else its <c>&lt;0xNN&gt;</c> byte tokens
/// (byte_fallback), else the unknown token (fused with an unknown neighbour when fuse_unk); then the ranked merges
/// apply, lowest rank first and leftmost first among equals. Byte-level BPE is this model over the ByteLevel
/// pre-tokenizer's byte-mapped characters.
/// </summary>
/// <remarks>
/// Written by hand rather than with Microsoft.ML.Tokenizers' <c>BpeTokenizer</c> (3.0.0): it has no byte_fallback
/// and no ignore_merges, its byte-level mode maps raw text to bytes itself while the pieces given to a model here
/// are already mapped, and it returns a string per token.
/// Quirks kept on purpose, because Hugging Face has them: an unknown character waiting to be fused is emitted after
/// byte-fallback tokens that follow it; byte fallback encodes the character with its prefix/suffix; spans come from
/// UTF-8 byte lengths, so a byte token's span is its whole character.
/// </remarks>
internal sealed class BpeModel : CachingTokenizationModel
{
    [ThreadStatic]
    private static Scratch? t_scratch;

    private readonly Dictionary<string, int> _vocabulary;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _vocabularyBySpan;
    private readonly Dictionary<long, Merge> _merges;
    private readonly string _prefix;
    private readonly string _suffix;
    private readonly int _unknownId;
    private readonly bool _fuseUnknown;
    private readonly bool _ignoreMerges;
    private readonly int[]? _byteIds;
    private readonly int[] _characterIds;

    /// <param name="vocabulary">Token to id.</param>
    /// <param name="merges">The merges in rank order.</param>
    /// <param name="options">The model's options.</param>
    /// <exception cref="InvalidDataException">A merge or the unknown token is not in the vocabulary (the message names its model.* path).</exception>
    public BpeModel(Dictionary<string, int> vocabulary, IReadOnlyList<(string Left, string Right)> merges, BpeOptions options)
    {
        _vocabulary = vocabulary;
        _vocabularyBySpan = vocabulary.GetAlternateLookup<ReadOnlySpan<char>>();
        _prefix = options.ContinuingSubwordPrefix ?? "";
        _suffix = options.EndOfWordSuffix ?? "";
        _fuseUnknown = options.FuseUnknown;
        _ignoreMerges = options.IgnoreMerges;
        _unknownId = -1;
        if (options.UnknownToken is { } unknown && !vocabulary.TryGetValue(unknown, out _unknownId))
            throw new InvalidDataException($"model.unk_token '{unknown}' is not in model.vocab");
        if (options.ByteFallback)
        {
            _byteIds = new int[256];
            for (int b = 0; b < 256; b++)
                _byteIds[b] = vocabulary.TryGetValue($"<0x{b:X2}>", out int id) ? id : -1;
        }
        _characterIds = new int[char.MaxValue + 1];
        Array.Fill(_characterIds, -1);
        foreach ((string token, int id) in vocabulary)
        {
            if (token.Length == 1)
                _characterIds[token[0]] = id;
        }
        _merges = BuildMerges(merges);
        VocabularySize = vocabulary.Count == 0 ? 0 : vocabulary.Values.Max() + 1;
    }

    public override int VocabularySize { get; }

    public override bool TryGetId(string token, out int id) => _vocabulary.TryGetValue(token, out id);

    protected override void TokenizeUncached(ReadOnlySpan<char> piece, List<ModelToken> tokens)
    {
        if (TryWholePiece(piece) is int whole)
        {
            tokens.Add(new ModelToken(whole, 0, piece.Length));
            return;
        }
        Scratch scratch = Merged(piece);
        scratch.Spans.Reset(piece);
        int position = 0;
        foreach (Symbol symbol in scratch.Symbols.AsSpan(0, scratch.Count))
        {
            if (symbol.ByteLength == 0)
                continue;
            int end = position + symbol.ByteLength;
            (int start, int stop) = scratch.Spans.Span(position, end);
            tokens.Add(new ModelToken(symbol.Id, start, stop));
            position = end;
        }
    }

    /// <summary>The same ids as <see cref="TokenizeUncached"/>, without working out their spans.</summary>
    protected override void TokenizeUncachedIds(ReadOnlySpan<char> piece, List<int> ids)
    {
        if (TryWholePiece(piece) is int whole)
        {
            ids.Add(whole);
            return;
        }
        Scratch scratch = Merged(piece);
        foreach (Symbol symbol in scratch.Symbols.AsSpan(0, scratch.Count))
        {
            if (symbol.ByteLength != 0)
                ids.Add(symbol.Id);
        }
    }

    /// <summary>ignore_merges: the piece's own id when the vocabulary has it.</summary>
    private int? TryWholePiece(ReadOnlySpan<char> piece)
        => _ignoreMerges && _vocabularyBySpan.TryGetValue(piece, out int whole) ? whole : null;

    /// <summary>The piece's symbols after every merge, in this thread's scratch (those of length 0 were merged away).</summary>
    private Scratch Merged(ReadOnlySpan<char> piece)
    {
        Scratch scratch = t_scratch ??= new Scratch();
        scratch.Count = 0;
        AddCharacters(piece, scratch);
        MergeAll(scratch);
        return scratch;
    }

    /// <summary>merge_word's first half: the characters' tokens, byte tokens or unknown tokens.</summary>
    private void AddCharacters(ReadOnlySpan<char> piece, Scratch scratch)
    {
        int unknownLength = 0; // bytes of the unknown token waiting to be added; 0 when none waits
        for (int i = 0; i < piece.Length;)
        {
            int length = PieceText.CharLength(piece, i);
            int byteLength = PieceText.Utf8Length(piece[i], length);
            bool first = i == 0;
            bool last = i + length == piece.Length;
            int id;
            ReadOnlySpan<char> text;
            if (length == 1 && (first || _prefix.Length == 0) && (!last || _suffix.Length == 0))
            {
                // One unit without prefix or suffix: its id from the table (a dictionary lookup costs more).
                id = _characterIds[piece[i]];
                text = piece.Slice(i, 1);
            }
            else
            {
                text = Affixed(piece.Slice(i, length), first, last, scratch);
                if (!_vocabularyBySpan.TryGetValue(text, out id))
                    id = -1;
            }
            i += length;
            if (id >= 0)
            {
                if (unknownLength > 0)
                    Add(scratch, _unknownId, unknownLength);
                unknownLength = 0;
                Add(scratch, id, byteLength);
                continue;
            }
            if (_byteIds is not null && TryAddBytes(text, scratch))
                continue;
            if (_unknownId < 0)
                continue;
            if (unknownLength > 0 && !_fuseUnknown)
            {
                Add(scratch, _unknownId, unknownLength);
                unknownLength = 0;
            }
            unknownLength += byteLength;
        }
        if (unknownLength > 0)
            Add(scratch, _unknownId, unknownLength);
    }

    private ReadOnlySpan<char> Affixed(ReadOnlySpan<char> character, bool first, bool last, Scratch scratch)
    {
        bool withPrefix = !first && _prefix.Length > 0;
        bool withSuffix = last && _suffix.Length > 0;
        if (!withPrefix && !withSuffix)
            return character;
        int length = (withPrefix ? _prefix.Length : 0) + character.Length + (withSuffix ? _suffix.Length : 0);
        if (scratch.Chars.Length < length)
            scratch.Chars = new char[length];
        Span<char> buffer = scratch.Chars;
        int at = 0;
        if (withPrefix)
        {
            _prefix.CopyTo(buffer);
            at = _prefix.Length;
        }
        character.CopyTo(buffer[at..]);
        at += character.Length;
        if (withSuffix)
        {
            _suffix.CopyTo(buffer[at..]);
            at += _suffix.Length;
        }
        return buffer[..at];
    }

    private bool TryAddBytes(ReadOnlySpan<char> text, Scratch scratch)
    {
        int count = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (scratch.Bytes.Length < count)
            scratch.Bytes = new byte[count];
        Span<byte> bytes = scratch.Bytes.AsSpan(0, Encoding.UTF8.GetBytes(text, scratch.Bytes));
        foreach (byte b in bytes)
        {
            if (_byteIds![b] < 0)
                return false;
        }
        foreach (byte b in bytes)
            Add(scratch, _byteIds![b], 1);
        return true;
    }

    private static void Add(Scratch scratch, int id, int byteLength)
    {
        int index = scratch.Count;
        if (index == scratch.Symbols.Length)
            Array.Resize(ref scratch.Symbols, index * 2);
        if (index > 0)
            scratch.Symbols[index - 1].Next = index;
        scratch.Symbols[index] = new Symbol { Id = id, Prev = index - 1, Next = -1, ByteLength = byteLength };
        scratch.Count = index + 1;
    }

    /// <summary>
    /// word.rs merge_all without dropout: a queue of merges ordered by (rank, position); a merge taken from it applies
    /// when its pair is still there and the pair's merge still gives the same id (as word.rs checks).
    /// </summary>
    private void MergeAll(Scratch scratch)
    {
        Symbol[] symbols = scratch.Symbols;
        int count = scratch.Count;
        MergeQueue queue = scratch.Queue;
        queue.Clear();
        for (int i = 0; i + 1 < count; i++)
        {
            if (_merges.TryGetValue(Key(symbols[i].Id, symbols[i + 1].Id), out Merge merge))
                queue.AddUnordered(Priority(merge.Rank, i), merge.NewId);
        }
        queue.Heapify();

        while (queue.TryDequeue(out long priority, out int newId))
        {
            int position = (int)(uint)priority;
            ref Symbol current = ref symbols[position];
            if (current.ByteLength == 0 || current.Next == -1)
                continue;
            ref Symbol right = ref symbols[current.Next];
            if (!_merges.TryGetValue(Key(current.Id, right.Id), out Merge merge) || merge.NewId != newId)
                continue;

            current.Id = newId;
            current.ByteLength += right.ByteLength;
            current.Next = right.Next;
            right.ByteLength = 0;
            if (current.Next > -1 && current.Next < count)
                symbols[current.Next].Prev = position;

            if (current.Prev >= 0 && _merges.TryGetValue(Key(symbols[current.Prev].Id, newId), out Merge before))
                queue.Enqueue(Priority(before.Rank, current.Prev), before.NewId);
            if (current.Next > -1 && current.Next < count && _merges.TryGetValue(Key(newId, symbols[current.Next].Id), out Merge after))
                queue.Enqueue(Priority(after.Rank, position), after.NewId);
        }
    }

    private static long Priority(int rank, int position) => ((long)rank << 32) | (uint)position;

    /// <summary>
    /// The merge map of BpeBuilder::build: (left id, right id) to (rank, id of left + right without the right's
    /// continuing-subword prefix); a pair listed twice keeps its last rank.
    /// </summary>
    private Dictionary<long, Merge> BuildMerges(IReadOnlyList<(string Left, string Right)> merges)
    {
        var map = new Dictionary<long, Merge>(merges.Count, MixedKeyComparer.Instance);
        char[] buffer = new char[64];
        for (int rank = 0; rank < merges.Count; rank++)
        {
            (string left, string right) = merges[rank];
            if (!_vocabulary.TryGetValue(left, out int leftId))
                throw new InvalidDataException($"model.merges[{rank}]: '{left}' is not in model.vocab");
            if (!_vocabulary.TryGetValue(right, out int rightId))
                throw new InvalidDataException($"model.merges[{rank}]: '{right}' is not in model.vocab");
            // The prefix is cut by its length whether or not the right token starts with it, as Hugging Face does.
            ReadOnlySpan<char> rightTail = right.AsSpan(Math.Min(_prefix.Length, right.Length));
            int length = left.Length + rightTail.Length;
            if (buffer.Length < length)
                buffer = new char[length * 2];
            left.CopyTo(buffer);
            rightTail.CopyTo(buffer.AsSpan(left.Length));
            if (!_vocabularyBySpan.TryGetValue(buffer.AsSpan(0, length), out int newId))
                throw new InvalidDataException($"model.merges[{rank}]: '{new string(buffer, 0, length)}' is not in model.vocab");
            map[Key(leftId, rightId)] = new Merge(rank, newId);
        }
        return map;
    }

    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;

    private readonly record struct Merge(int Rank, int NewId);

    /// <summary>word.rs Symbol: a token id, its neighbours' indices and its length in UTF-8 bytes (0 once merged away).</summary>
    private struct Symbol
    {
        public int Id;
        public int Prev;
        public int Next;
        public int ByteLength;
    }

    /// <summary>
    /// A binary min-heap of merges by priority (rank, then position), holding each merge's new id: what word.rs keeps
    /// in its BinaryHeap, in one array (a piece that is a whole text queues thousands of merges).
    /// </summary>
    private sealed class MergeQueue
    {
        private (long Priority, int NewId)[] _items = new (long, int)[64];
        private int _count;

        public void Clear() => _count = 0;

        /// <summary>Adds a merge without keeping the heap's order: <see cref="Heapify"/> restores it.</summary>
        public void AddUnordered(long priority, int newId)
        {
            if (_count == _items.Length)
                Array.Resize(ref _items, _count * 2);
            _items[_count++] = (priority, newId);
        }

        public void Heapify()
        {
            for (int i = (_count >> 1) - 1; i >= 0; i--)
                SiftDown(i, _items[i]);
        }

        public void Enqueue(long priority, int newId)
        {
            if (_count == _items.Length)
                Array.Resize(ref _items, _count * 2);
            (long Priority, int NewId)[] items = _items;
            int i = _count++;
            while (i > 0)
            {
                int parent = (i - 1) >> 1;
                if (items[parent].Priority <= priority)
                    break;
                items[i] = items[parent];
                i = parent;
            }
            items[i] = (priority, newId);
        }

        public bool TryDequeue(out long priority, out int newId)
        {
            if (_count == 0)
            {
                (priority, newId) = (0, 0);
                return false;
            }
            (priority, newId) = _items[0];
            if (--_count > 0)
                SiftDown(0, _items[_count]);
            return true;
        }

        /// <summary>Puts <paramref name="item"/> at <paramref name="i"/> or below, where the heap's order wants it.</summary>
        private void SiftDown(int i, (long Priority, int NewId) item)
        {
            (long Priority, int NewId)[] items = _items;
            int count = _count;
            while (true)
            {
                int child = 2 * i + 1;
                if (child >= count)
                    break;
                if (child + 1 < count && items[child + 1].Priority < items[child].Priority)
                    child++;
                if (item.Priority <= items[child].Priority)
                    break;
                items[i] = items[child];
                i = child;
            }
            items[i] = item;
        }
    }

    private sealed class Scratch
    {
        public Symbol[] Symbols = new Symbol[64];

        public int Count;

        public MergeQueue Queue { get; } = new();

        public PieceText.ByteSpans Spans { get; } = new();

        public char[] Chars { get; set; } = new char[16];

        public byte[] Bytes { get; set; } = new byte[16];
    }
}
