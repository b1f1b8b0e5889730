namespace ModernBert.Tokenization.Models;

/// <summary>
/// WordPiece exactly as Hugging Face <c>tokenizers</c> 0.23 does it (tokenizers/src/models/wordpiece/mod.rs,
/// tokenize): a piece longer than max_input_chars_per_word characters is the unknown token; otherwise the longest
/// vocabulary entry from the left, then the longest continuation (with the continuing-subword prefix), and so on;
/// if some rest has no entry, the whole piece is the unknown token.
/// </summary>
/// <remarks>
/// Written by hand rather than with Microsoft.ML.Tokenizers' <c>WordPieceTokenizer</c> (3.0.0): it loads only a
/// vocab.txt (ids are line numbers) where tokenizer.json maps tokens to arbitrary ids, and it returns a string per token.
/// </remarks>
internal sealed class WordPieceModel : CachingTokenizationModel
{
    private readonly Dictionary<string, int> _vocabulary;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _vocabularyBySpan;
    private readonly string _unknownToken;
    private readonly string _prefix;
    private readonly int _maxCharacters;

    public WordPieceModel(Dictionary<string, int> vocabulary, string unknownToken, string continuingSubwordPrefix, int maxInputCharsPerWord)
    {
        _vocabulary = vocabulary;
        _vocabularyBySpan = vocabulary.GetAlternateLookup<ReadOnlySpan<char>>();
        _unknownToken = unknownToken;
        _prefix = continuingSubwordPrefix;
        _maxCharacters = maxInputCharsPerWord;
        VocabularySize = vocabulary.Count == 0 ? 0 : vocabulary.Values.Max() + 1;
    }

    public override int VocabularySize { get; }

    public override bool TryGetId(string token, out int id) => _vocabulary.TryGetValue(token, out id);

    /// <exception cref="ArgumentException">The piece needs the unknown token, and the vocabulary does not hold it.</exception>
    protected override void TokenizeUncached(ReadOnlySpan<char> piece, List<ModelToken> tokens)
    {
        if (CountCharacters(piece) > _maxCharacters)
        {
            tokens.Add(new ModelToken(UnknownId(), 0, piece.Length));
            return;
        }
        int first = tokens.Count;
        Span<char> buffer = piece.Length + _prefix.Length <= 256 ? stackalloc char[256] : new char[piece.Length + _prefix.Length];
        _prefix.CopyTo(buffer);
        for (int start = 0; start < piece.Length;)
        {
            int end = piece.Length;
            int id = -1;
            while (start < end)
            {
                scoped ReadOnlySpan<char> candidate = piece[start..end];
                if (start > 0)
                {
                    candidate.CopyTo(buffer[_prefix.Length..]);
                    candidate = buffer[..(_prefix.Length + candidate.Length)];
                }
                if (_vocabularyBySpan.TryGetValue(candidate, out id))
                    break;
                id = -1;
                end -= end - 2 >= start && char.IsLowSurrogate(piece[end - 1]) && char.IsHighSurrogate(piece[end - 2]) ? 2 : 1;
            }
            if (id < 0)
            {
                tokens.RemoveRange(first, tokens.Count - first);
                tokens.Add(new ModelToken(UnknownId(), 0, piece.Length));
                return;
            }
            tokens.Add(new ModelToken(id, start, end));
            start = end;
        }
    }

    private static int CountCharacters(ReadOnlySpan<char> piece)
    {
        int count = 0;
        for (int i = 0; i < piece.Length; i += PieceText.CharLength(piece, i))
            count++;
        return count;
    }

    private int UnknownId() => _vocabulary.TryGetValue(_unknownToken, out int id)
        ? id
        : throw new ArgumentException($"The WordPiece model's unk_token '{_unknownToken}' is not in its vocabulary, and a word needs it.");
}
