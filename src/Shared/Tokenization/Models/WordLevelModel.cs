namespace ModernBert.Tokenization.Models;

/// <summary>
/// WordLevel as Hugging Face <c>tokenizers</c> 0.23 does it (tokenizers/src/models/wordlevel/mod.rs): the piece's
/// own id, else the unknown token's, spanning the piece.
/// </summary>
internal sealed class WordLevelModel : ITokenizationModel
{
    private readonly Dictionary<string, int> _vocabulary;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _vocabularyBySpan;
    private readonly string _unknownToken;

    public WordLevelModel(Dictionary<string, int> vocabulary, string unknownToken)
    {
        _vocabulary = vocabulary;
        _vocabularyBySpan = vocabulary.GetAlternateLookup<ReadOnlySpan<char>>();
        _unknownToken = unknownToken;
        VocabularySize = vocabulary.Count == 0 ? 0 : vocabulary.Values.Max() + 1;
    }

    public int VocabularySize { get; }

    public bool TryGetId(string token, out int id) => _vocabulary.TryGetValue(token, out id);

    /// <exception cref="ArgumentException">The piece is not in the vocabulary, and neither is the unknown token.</exception>
    public void Tokenize(ReadOnlySpan<char> piece, List<ModelToken> tokens)
    {
        if (!piece.IsEmpty)
            tokens.Add(new ModelToken(Id(piece), 0, piece.Length));
    }

    /// <exception cref="ArgumentException">The piece is not in the vocabulary, and neither is the unknown token.</exception>
    public void TokenizeIds(ReadOnlySpan<char> piece, List<int> ids)
    {
        if (!piece.IsEmpty)
            ids.Add(Id(piece));
    }

    private int Id(ReadOnlySpan<char> piece)
    {
        if (_vocabularyBySpan.TryGetValue(piece, out int id) || _vocabulary.TryGetValue(_unknownToken, out id))
            return id;
        throw new ArgumentException($"The WordLevel model's unk_token '{_unknownToken}' is not in its vocabulary, and a word needs it.");
    }
}
