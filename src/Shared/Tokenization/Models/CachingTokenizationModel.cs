namespace ModernBert.Tokenization.Models;

/// <summary>
/// A model that keeps, per thread, the tokens of the pieces it has seen: text repeats its words, and a lookup is
/// far cheaper than merging or searching again. Subclasses tokenize a piece the cache does not hold.
/// </summary>
/// <remarks>
/// A thread's cache for the model it used last sits in a thread-static field, so the usual case (one model per
/// process) costs no <see cref="ThreadLocal{T}"/> lookup per piece; other models' caches come from their ThreadLocal.
/// </remarks>
internal abstract class CachingTokenizationModel : ITokenizationModel
{
    [ThreadStatic]
    private static PieceTokensCache? t_lastCache;

    private readonly ThreadLocal<PieceTokensCache> _caches;

    protected CachingTokenizationModel() => _caches = new(() => new PieceTokensCache(this));

    public abstract int VocabularySize { get; }

    public abstract bool TryGetId(string token, out int id);

    public void Tokenize(ReadOnlySpan<char> piece, List<ModelToken> tokens) => tokens.AddRange(Lookup(piece));

    public void TokenizeIds(ReadOnlySpan<char> piece, List<int> ids)
    {
        foreach (ModelToken token in Lookup(piece))
            ids.Add(token.Id);
    }

    /// <summary>Appends the tokens of a non-empty piece that the cache does not hold.</summary>
    protected abstract void TokenizeUncached(ReadOnlySpan<char> piece, List<ModelToken> tokens);

    private ReadOnlySpan<ModelToken> Lookup(ReadOnlySpan<char> piece)
    {
        if (piece.IsEmpty)
            return [];
        PieceTokensCache? cache = t_lastCache;
        if (cache is null || !ReferenceEquals(cache.Owner, this))
            t_lastCache = cache = _caches.Value!;
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
