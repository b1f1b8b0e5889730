using ModernBert.Tokenization;

namespace ModernBert.Coordinator.Corpus;

/// <summary>
/// One token put right after [CLS], as PyLate's ColBERT.insert_prefix_token puts the query or document prefix's id
/// (pylate/models/colbert.py): the text, with its prompt when it has one, is tokenized alone, then the id inserted.
/// Thread-safe.
/// </summary>
internal sealed class DocumentPrefixToken : IDocumentPrefix
{
    private readonly ModernBertTokenizer _tokenizer;
    private readonly int _id;
    private readonly DocumentPrompt? _prompt;

    /// <exception cref="ConfigurationException">The token is not one token of the tokenizer.</exception>
    public DocumentPrefixToken(ModernBertTokenizer tokenizer, string token, DocumentPrompt? prompt)
    {
        _tokenizer = tokenizer;
        _id = SingleId(tokenizer, token, "prefix");
        _prompt = prompt;
    }

    public (int[] Ids, int PrefixTokens) Encode(string text) => Insert(_prompt?.Encode(text) ?? (_tokenizer.Encode(text), 0));

    public (int[] Ids, int PrefixTokens) Prepend(int[] ids) => Insert(_prompt?.Prepend(ids) ?? (ids, 0));

    private (int[] Ids, int PrefixTokens) Insert((int[] Ids, int PrefixTokens) encoded)
    {
        int[] ids = encoded.Ids;
        int start = ids.Length > 0 && ids[0] == _tokenizer.ClsTokenId ? 1 : 0;
        return ([.. ids.AsSpan(0, start), _id, .. ids.AsSpan(start)], encoded.PrefixTokens + 1);
    }

    /// <summary>
    /// The id of a token of the tokenizer (an added token such as "[Q] " or "[MASK]", or a vocabulary string), as
    /// PyLate's tokenizer.convert_tokens_to_ids(prefix).
    /// </summary>
    /// <exception cref="ConfigurationException">The tokenizer has no such token (PyLate would add it, with an untrained embedding).</exception>
    public static int SingleId(ModernBertTokenizer tokenizer, string token, string role) =>
        tokenizer.TryGetTokenId(token, out int id) ? id
            : throw new ConfigurationException($"The {role} '{token}' is not a token of the model's tokenizer.");
}
