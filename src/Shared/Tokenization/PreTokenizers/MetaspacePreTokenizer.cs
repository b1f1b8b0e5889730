namespace ModernBert.Tokenization.PreTokenizers;

/// <summary>When Metaspace puts its replacement before a piece (tokenizers' <c>PrependScheme</c>).</summary>
internal enum PrependScheme
{
    Always,
    First,
    Never,
}

/// <summary>
/// Metaspace (tokenizers/src/pre_tokenizers/metaspace.rs): spaces become the replacement (▁), which is put before a
/// piece not starting with it (always, or only before the piece at the start of the original text: first), then
/// the piece is split before each replacement (split).
/// </summary>
internal sealed class MetaspacePreTokenizer(string replacement, PrependScheme prependScheme, bool split) : IPreTokenizer
{
    private static readonly TextPattern Space = TextPattern.Literal(" ");
    private readonly TextPattern _replacement = TextPattern.Literal(replacement);

    public void PreTokenize(List<NormalizedText> pieces)
    {
        PatternPreTokenizer.SplitEach(pieces, (piece, into) =>
        {
            piece.Replace(Space.FindMatches(piece.Text), replacement);
            bool prepend = prependScheme switch
            {
                PrependScheme.Always => true,
                PrependScheme.First => piece.OriginalStart == 0,
                _ => false,
            };
            if (prepend && !piece.Text.StartsWith(replacement, StringComparison.Ordinal))
                piece.Prepend(replacement);
            if (split)
                piece.Split(_replacement.FindMatches(piece.Text), SplitBehavior.MergedWithNext, into);
            else
                into.Add(piece);
        });
    }
}
