namespace ModernBert.Tokenization.PostProcessors;

/// <summary>
/// The last step of encoding (Hugging Face's <c>PostProcessor</c>, tokenizers/src/tokenizer/mod.rs): adds the special
/// tokens of one text or a pair and sets the type ids. Its input encodings carry type id 0 (first text) or 1
/// (second text) and sequence id 0 or 1, as tokenizers' <c>encode_single_sequence</c> gives them.
/// </summary>
internal interface IPostProcessor
{
    /// <summary>The ids a single text is wrapped in ([CLS] before, [SEP] after): every supported processor's single form.</summary>
    (int[] Before, int[] After) SingleIds { get; }

    /// <summary>How many special tokens are added to one text or to a pair.</summary>
    int AddedTokenCount(bool pair);

    /// <summary>tokenizers' <c>process_encodings</c>: the encodings (one per text) made into those to concatenate.</summary>
    List<TokenEncoding> ProcessEncodings(List<TokenEncoding> encodings, bool addSpecialTokens);
}

/// <summary>Runs a post-processor (or none) as tokenizers' <c>post_process</c> does, and concatenates its output.</summary>
internal static class PostProcessing
{
    public static TokenEncoding Process(IPostProcessor? processor, TokenEncoding first, TokenEncoding? second, bool addSpecialTokens)
    {
        List<TokenEncoding> encodings = second is null ? [first] : [first, second];
        if (processor is not null)
            encodings = processor.ProcessEncodings(encodings, addSpecialTokens);
        if (encodings.Count == 1)
            return encodings[0];
        var builder = new TokenEncodingBuilder();
        foreach (TokenEncoding encoding in encodings)
            builder.Add(encoding);
        return builder.Build();
    }

    /// <summary>The encoding with every type id set to <paramref name="typeId"/>.</summary>
    public static TokenEncoding WithTypeId(TokenEncoding encoding, int typeId)
    {
        var typeIds = new int[encoding.Length];
        Array.Fill(typeIds, typeId);
        return encoding with { TypeIds = typeIds };
    }

    /// <summary>Special tokens, then the encoding, then special tokens, with the given type ids.</summary>
    public static TokenEncoding Wrap(int[] before, int beforeTypeId, TokenEncoding encoding, int[] after, int afterTypeId)
    {
        var builder = new TokenEncodingBuilder();
        builder.AddSpecial(before, beforeTypeId);
        builder.Add(encoding);
        builder.AddSpecial(after, afterTypeId);
        return builder.Build();
    }
}
