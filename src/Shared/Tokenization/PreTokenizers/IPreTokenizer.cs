namespace ModernBert.Tokenization.PreTokenizers;

/// <summary>
/// A pre-tokenizer of tokenizer.json: splits each piece of text (tokenizers' <c>PreTokenizedString.split</c>) and may
/// change the pieces; the model then encodes each piece on its own. Empty pieces are dropped.
/// </summary>
internal interface IPreTokenizer
{
    void PreTokenize(List<NormalizedText> pieces);
}

/// <summary>The pre-tokenizers that split every piece with one pattern and behaviour.</summary>
internal sealed class PatternPreTokenizer(TextPattern pattern, SplitBehavior behavior) : IPreTokenizer
{
    public void PreTokenize(List<NormalizedText> pieces) => SplitEach(pieces, (piece, into) => piece.Split(pattern.FindMatches(piece.Text), behavior, into));

    /// <summary>Replaces every piece by what <paramref name="split"/> makes of it.</summary>
    public static void SplitEach(List<NormalizedText> pieces, Action<NormalizedText, List<NormalizedText>> split)
    {
        // The new pieces go after the old ones, which then leave.
        int count = pieces.Count;
        for (int i = 0; i < count; i++)
            split(pieces[i], pieces);
        pieces.RemoveRange(0, count);
        pieces.RemoveAll(piece => piece.Length == 0);
    }
}

/// <summary>Sequence (tokenizers/src/pre_tokenizers/sequence.rs): the pre-tokenizers in order.</summary>
internal sealed class SequencePreTokenizer(IReadOnlyList<IPreTokenizer> preTokenizers) : IPreTokenizer
{
    public void PreTokenize(List<NormalizedText> pieces)
    {
        foreach (IPreTokenizer preTokenizer in preTokenizers)
            preTokenizer.PreTokenize(pieces);
    }
}
