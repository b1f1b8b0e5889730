using ModernBert.Tokenization;

namespace ModernBert.Coordinator.Corpus;

/// <summary>
/// One token put right after [CLS], as PyLate's ColBERT.insert_prefix_token puts the query or document prefix's id
/// (pylate/models/colbert.py): the text is tokenized alone, then the id inserted. Thread-safe.
/// </summary>
internal sealed class DocumentPrefixToken : IDocumentPrefix
{
    private readonly ModernBertTokenizer _tokenizer;
    private readonly int _id;

    /// <exception cref="ConfigurationException">The token is not one token of the tokenizer.</exception>
    public DocumentPrefixToken(ModernBertTokenizer tokenizer, string token)
    {
        _tokenizer = tokenizer;
        _id = SingleId(tokenizer, token, "prefix");
    }

    public (int[] Ids, int PrefixTokens) Encode(string text) => Prepend(_tokenizer.Encode(text));

    public (int[] Ids, int PrefixTokens) Prepend(int[] ids)
    {
        int start = ids.Length > 0 && ids[0] == _tokenizer.ClsTokenId ? 1 : 0;
        return ([.. ids.AsSpan(0, start), _id, .. ids.AsSpan(start)], 1);
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
