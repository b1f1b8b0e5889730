namespace ModernBert.Tokenization.Models;

/// <summary>
/// A model that keeps, per thread, the tokens of the pieces it has seen: text repeats its words, and a lookup is
/// far cheaper than merging or searching again. Subclasses tokenize a piece the cache does not hold.
/// </summary>
/// <remarks>
/// A thread's cache for the model it used last sits in a thread-static field, so the usual case (one model per
/// process) costs no <see cref="ThreadLocal{T}"/> lookup per piece; other models' caches come from their ThreadLocal.
/// A cache knows its model by a number, not a reference, so that the field does not keep a model that was let go.
/// </remarks>
internal abstract class CachingTokenizationModel : ITokenizationModel
{
    private static int s_lastModelNumber;

    [ThreadStatic]
    private static PieceTokensCache? t_lastCache;

    private readonly int _modelNumber = Interlocked.Increment(ref s_lastModelNumber);
    private readonly ThreadLocal<PieceTokensCache> _caches;

    protected CachingTokenizationModel() => _caches = new(() => new PieceTokensCache(_modelNumber));

    public abstract int VocabularySize { get; }

    public abstract bool TryGetId(string token, out int id);

    public void Tokenize(ReadOnlySpan<char> piece, List<ModelToken> tokens)
    {
        if (piece.Length > PieceTokensCache.MaxPieceLength)
            TokenizeUncached(piece, tokens);
        else
            tokens.AddRange(Lookup(piece));
    }

    public void TokenizeIds(ReadOnlySpan<char> piece, List<int> ids)
    {
        if (piece.Length > PieceTokensCache.MaxPieceLength)
        {
            TokenizeUncachedIds(piece, ids);
            return;
        }
        foreach (ModelToken token in Lookup(piece))
            ids.Add(token.Id);
    }

    /// <summary>Appends the tokens of a non-empty piece that the cache does not hold.</summary>
    protected abstract void TokenizeUncached(ReadOnlySpan<char> piece, List<ModelToken> tokens);

    /// <summary>
    /// Appends the ids of a piece too long for the cache (a whole text, where the pre-tokenizer splits nothing off):
    /// those of <see cref="TokenizeUncached"/>, which a model may find without working out the tokens' spans.
    /// </summary>
    protected virtual void TokenizeUncachedIds(ReadOnlySpan<char> piece, List<int> ids)
    {
        List<ModelToken> scratch = Cache().Scratch;
        scratch.Clear();
        TokenizeUncached(piece, scratch);
        foreach (ModelToken token in scratch)
            ids.Add(token.Id);
    }

    private PieceTokensCache Cache()
    {
        PieceTokensCache? cache = t_lastCache;
        if (cache is null || cache.ModelNumber != _modelNumber)
            t_lastCache = cache = _caches.Value!;
        return cache;
    }

    private ReadOnlySpan<ModelToken> Lookup(ReadOnlySpan<char> piece)
    {
        if (piece.IsEmpty)
            return [];
        PieceTokensCache cache = Cache();
        if (cache.TryGet(piece, out ModelToken[]? cached))
            return cached;
        List<ModelToken> scratch = cache.Scratch;
        scratch.Clear();
        TokenizeUncached(piece, scratch);
        ModelToken[] tokens = [.. scratch];
        cache.Add(piece, tokens);
        return tokens;
    }
}
