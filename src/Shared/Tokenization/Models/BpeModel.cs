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
        _merges = BuildMerges(merges);
        VocabularySize = vocabulary.Count == 0 ? 0 : vocabulary.Values.Max() + 1;
    }

    public override int VocabularySize { get; }

    public override bool TryGetId(string token, out int id) => _vocabulary.TryGetValue(token, out id);

    protected override void TokenizeUncached(ReadOnlySpan<char> piece, List<ModelToken> tokens)
    {
        if (_ignoreMerges && _vocabularyBySpan.TryGetValue(piece, out int whole))
        {
            tokens.Add(new ModelToken(whole, 0, piece.Length));
            return;
        }
        Scratch scratch = t_scratch ??= new Scratch();
        List<Symbol> symbols = scratch.Symbols;
        symbols.Clear();
        AddCharacters(piece, symbols, scratch);
        MergeAll(symbols, scratch.Queue);

        scratch.Spans.Reset(piece);
        int position = 0;
        foreach (Symbol symbol in symbols)
        {
            if (symbol.ByteLength == 0)
                continue;
            int end = position + symbol.ByteLength;
            (int start, int stop) = scratch.Spans.Span(position, end);
            tokens.Add(new ModelToken(symbol.Id, start, stop));
            position = end;
        }
    }

    /// <summary>merge_word's first half: the characters' tokens, byte tokens or unknown tokens.</summary>
    private void AddCharacters(ReadOnlySpan<char> piece, List<Symbol> symbols, Scratch scratch)
    {
        int unknownLength = 0; // bytes of the unknown token waiting to be added; 0 when none waits
        for (int i = 0; i < piece.Length;)
        {
            int length = PieceText.CharLength(piece, i);
            int byteLength = PieceText.Utf8Length(piece[i], length);
            ReadOnlySpan<char> text = Affixed(piece.Slice(i, length), first: i == 0, last: i + length == piece.Length, scratch);
            i += length;
            if (_vocabularyBySpan.TryGetValue(text, out int id))
            {
                if (unknownLength > 0)
                    Add(symbols, _unknownId, unknownLength);
                unknownLength = 0;
                Add(symbols, id, byteLength);
                continue;
            }
            if (_byteIds is not null && TryAddBytes(text, symbols, scratch))
                continue;
            if (_unknownId < 0)
                continue;
            if (unknownLength > 0 && !_fuseUnknown)
            {
                Add(symbols, _unknownId, unknownLength);
                unknownLength = 0;
            }
            unknownLength += byteLength;
        }
        if (unknownLength > 0)
            Add(symbols, _unknownId, unknownLength);
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

    private bool TryAddBytes(ReadOnlySpan<char> text, List<Symbol> symbols, Scratch scratch)
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
            Add(symbols, _byteIds![b], 1);
        return true;
    }

    private static void Add(List<Symbol> symbols, int id, int byteLength)
    {
        int index = symbols.Count;
        if (index > 0)
        {
            Symbol last = symbols[index - 1];
            symbols[index - 1] = last with { Next = index };
        }
        symbols.Add(new Symbol(id, index - 1, -1, byteLength));
    }

    /// <summary>word.rs merge_all without dropout: a queue of merges ordered by (rank, position).</summary>
    private void MergeAll(List<Symbol> symbols, PriorityQueue<(int Position, int NewId), long> queue)
    {
        queue.Clear();
        for (int i = 0; i + 1 < symbols.Count; i++)
            Enqueue(queue, symbols[i].Id, symbols[i + 1].Id, i);

        while (queue.TryDequeue(out (int Position, int NewId) top, out _))
        {
            Symbol current = symbols[top.Position];
            if (current.ByteLength == 0 || current.Next == -1)
                continue;
            int nextPosition = current.Next;
            Symbol right = symbols[nextPosition];
            if (!_merges.TryGetValue(Key(current.Id, right.Id), out Merge merge) || merge.NewId != top.NewId)
                continue;

            current = new Symbol(top.NewId, current.Prev, right.Next, current.ByteLength + right.ByteLength);
            symbols[top.Position] = current;
            symbols[nextPosition] = right with { ByteLength = 0 };
            if (right.Next > -1 && right.Next < symbols.Count)
                symbols[right.Next] = symbols[right.Next] with { Prev = top.Position };

            if (current.Prev >= 0)
                Enqueue(queue, symbols[current.Prev].Id, current.Id, current.Prev);
            if (current.Next > -1 && current.Next < symbols.Count)
                Enqueue(queue, current.Id, symbols[current.Next].Id, top.Position);
        }
    }

    private void Enqueue(PriorityQueue<(int Position, int NewId), long> queue, int left, int right, int position)
    {
        if (_merges.TryGetValue(Key(left, right), out Merge merge))
            queue.Enqueue((position, merge.NewId), ((long)merge.Rank << 32) | (uint)position);
    }

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
    private readonly record struct Symbol(int Id, int Prev, int Next, int ByteLength);

    private sealed class Scratch
    {
        public List<Symbol> Symbols { get; } = [];

        public PriorityQueue<(int Position, int NewId), long> Queue { get; } = new();

        public PieceText.ByteSpans Spans { get; } = new();

        public char[] Chars { get; set; } = new char[16];

        public byte[] Bytes { get; set; } = new byte[16];
    }
}
