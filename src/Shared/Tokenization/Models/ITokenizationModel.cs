namespace ModernBert.Tokenization.Models;

/// <summary>
/// A token a model produced for one pre-tokenized piece: its id and its span in the piece, UTF-16 code units
/// [<paramref name="Start"/>, <paramref name="End"/>).
/// </summary>
public readonly record struct ModelToken(int Id, int Start, int End);

/// <summary>
/// The model step of a Hugging Face tokenizer (tokenizer.json's "model"): turns one piece, the text after
/// normalization and pre-tokenization, into tokens. Implementations are thread-safe: one instance serves all threads.
/// </summary>
internal interface ITokenizationModel
{
    /// <summary>Appends the tokens of <paramref name="piece"/>, with their spans in it.</summary>
    void Tokenize(ReadOnlySpan<char> piece, List<ModelToken> tokens);

    /// <summary>Appends the ids of <paramref name="piece"/>: the fast path, when offsets are not needed.</summary>
    void TokenizeIds(ReadOnlySpan<char> piece, List<int> ids);

    /// <summary>The id of a token of the model's vocabulary.</summary>
    bool TryGetId(string token, out int id);

    /// <summary>The highest id of the model's vocabulary plus one.</summary>
    int VocabularySize { get; }
}
