using System.Diagnostics.CodeAnalysis;

namespace ModernBert.Tokenization.Models;

/// <summary>
/// The tokens of pieces one thread has seen, for one model (not thread-safe). Bounded: long pieces are not kept,
/// and the cache starts over when it is full, which keeps the frequent words without bookkeeping per lookup.
/// </summary>
internal sealed class PieceTokensCache
{
    public const int MaxPieceLength = 256;
    public const int Capacity = 1 << 15;

    private readonly Dictionary<string, ModelToken[]> _tokensByPiece = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ModelToken[]>.AlternateLookup<ReadOnlySpan<char>> _tokensBySpan;

    public PieceTokensCache(int modelNumber)
    {
        ModelNumber = modelNumber;
        _tokensBySpan = _tokensByPiece.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The number of the model whose tokens these are.</summary>
    public int ModelNumber { get; }

    /// <summary>A list the owner may fill while tokenizing a piece on this thread.</summary>
    public List<ModelToken> Scratch { get; } = [];

    public int Count => _tokensByPiece.Count;

    public bool TryGet(ReadOnlySpan<char> piece, [MaybeNullWhen(false)] out ModelToken[] tokens)
        => _tokensBySpan.TryGetValue(piece, out tokens);

    public void Add(ReadOnlySpan<char> piece, ModelToken[] tokens)
    {
        if (piece.Length > MaxPieceLength)
            return;
        if (_tokensByPiece.Count == Capacity)
            _tokensByPiece.Clear();
        _tokensBySpan[piece] = tokens;
    }
}
