namespace ModernBert.Tokenization.PostProcessors;

/// <summary>
/// BertProcessing (tokenizers/src/processors/bert.rs): [CLS] A [SEP] (type id 0) and B [SEP] (type id 1); nothing
/// without special tokens.
/// </summary>
internal sealed class BertPostProcessor(int cls, int sep) : IPostProcessor
{
    public (int[] Before, int[] After) SingleIds => ([cls], [sep]);

    public int AddedTokenCount(bool pair) => pair ? 3 : 2;

    public List<TokenEncoding> ProcessEncodings(List<TokenEncoding> encodings, bool addSpecialTokens)
    {
        if (!addSpecialTokens)
            return encodings;
        List<TokenEncoding> result = [PostProcessing.Wrap([cls], 0, encodings[0], [sep], 0)];
        if (encodings.Count > 1)
            result.Add(PostProcessing.Wrap([], 1, encodings[1], [sep], 1));
        return result;
    }
}

/// <summary>
/// RobertaProcessing (tokenizers/src/processors/roberta.rs): offsets trimmed as ByteLevel's (trim_offsets), every
/// type id 0, &lt;s&gt; A &lt;/s&gt; and &lt;/s&gt; B &lt;/s&gt;.
/// </summary>
internal sealed class RobertaPostProcessor(int cls, int sep, ByteLevelPostProcessor? offsetTrimming) : IPostProcessor
{
    public (int[] Before, int[] After) SingleIds => ([cls], [sep]);

    public int AddedTokenCount(bool pair) => pair ? 4 : 2;

    public List<TokenEncoding> ProcessEncodings(List<TokenEncoding> encodings, bool addSpecialTokens)
    {
        List<TokenEncoding> trimmed = offsetTrimming?.ProcessEncodings(encodings, addSpecialTokens) ?? encodings;
        List<TokenEncoding> typed = [.. trimmed.Select(encoding => PostProcessing.WithTypeId(encoding, 0))];
        if (!addSpecialTokens)
            return typed;
        List<TokenEncoding> result = [PostProcessing.Wrap([cls], 0, typed[0], [sep], 0)];
        if (typed.Count > 1)
            result.Add(PostProcessing.Wrap([sep], 0, typed[1], [sep], 0));
        return result;
    }
}

/// <summary>Sequence (tokenizers/src/processors/sequence.rs): the processors in order, each on what the last gave.</summary>
internal sealed class SequencePostProcessor(IReadOnlyList<IPostProcessor> processors) : IPostProcessor
{
    public (int[] Before, int[] After) SingleIds =>
        ([.. processors.Reverse().SelectMany(processor => processor.SingleIds.Before)],
            [.. processors.SelectMany(processor => processor.SingleIds.After)]);

    public int AddedTokenCount(bool pair) => processors.Sum(processor => processor.AddedTokenCount(pair));

    public List<TokenEncoding> ProcessEncodings(List<TokenEncoding> encodings, bool addSpecialTokens)
    {
        foreach (IPostProcessor processor in processors)
            encodings = processor.ProcessEncodings(encodings, addSpecialTokens);
        return encodings;
    }
}
