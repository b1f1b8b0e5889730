namespace ModernBert.Tokenization.PostProcessors;

/// <summary>
/// TemplateProcessing (tokenizers/src/processors/template.rs): the single or pair template, read from left to
/// right, puts each special token's ids (offsets (0, 0), sequence id -1) and each text's tokens with the template's
/// type id. Without special tokens the texts still take the template's type ids and order.
/// </summary>
internal sealed class TemplatePostProcessor : IPostProcessor
{
    private readonly TemplatePiece[] _single;
    private readonly TemplatePiece[] _pair;

    /// <param name="single">The single template: $A exactly once, and special tokens.</param>
    /// <param name="pair">The pair template: $A and $B once each, and special tokens.</param>
    public TemplatePostProcessor(TemplatePiece[] single, TemplatePiece[] pair)
    {
        _single = single;
        _pair = pair;
        int sequence = Array.FindIndex(single, piece => piece.IsSequence);
        SingleIds = ([.. single[..sequence].SelectMany(piece => piece.SpecialIds)],
            [.. single[(sequence + 1)..].SelectMany(piece => piece.SpecialIds)]);
    }

    public (int[] Before, int[] After) SingleIds { get; }

    public int AddedTokenCount(bool pair) => (pair ? _pair : _single).Sum(piece => piece.SpecialIds.Length);

    public List<TokenEncoding> ProcessEncodings(List<TokenEncoding> encodings, bool addSpecialTokens)
    {
        var builder = new TokenEncodingBuilder();
        foreach (TemplatePiece piece in encodings.Count == 1 ? _single : _pair)
        {
            if (piece.IsSequence)
                builder.Add(encodings[piece.Sequence], piece.TypeId, (sbyte)piece.Sequence);
            else if (addSpecialTokens)
                builder.AddSpecial(piece.SpecialIds, piece.TypeId);
        }
        return [builder.Build()];
    }
}

/// <summary>One piece of a template: a text ($A: <see cref="Sequence"/> 0, $B: 1) or a special token's ids.</summary>
internal sealed record TemplatePiece(int Sequence, int[] SpecialIds, int TypeId)
{
    public bool IsSequence => Sequence >= 0;

    public static TemplatePiece Text(int sequence, int typeId) => new(sequence, [], typeId);

    public static TemplatePiece Special(int[] ids, int typeId) => new(-1, ids, typeId);
}
