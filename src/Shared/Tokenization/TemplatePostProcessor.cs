namespace ModernBert.Tokenization;

/// <summary>
/// Hugging Face's TemplateProcessing (tokenizers/src/processors/template.rs): the single or pair template, read
/// from left to right, puts each special token's ids (offsets (0, 0), sequence id -1) and each text's tokens with
/// the template's type id. Without special tokens the texts still take the template's type ids and order.
/// </summary>
internal sealed class TemplatePostProcessor : IPostProcessor
{
    private readonly TemplatePiece[] _single;
    private readonly TemplatePiece[] _pair;

    /// <param name="single">The single template: $A exactly once, and special tokens.</param>
    /// <param name="pair">The pair template: $A and $B, and special tokens.</param>
    public TemplatePostProcessor(TemplatePiece[] single, TemplatePiece[] pair)
    {
        _single = single;
        _pair = pair;
        int sequence = Array.FindIndex(single, piece => piece.IsSequence);
        SingleIdsBefore = [.. single[..sequence].SelectMany(piece => piece.SpecialIds)];
        SingleIdsAfter = [.. single[(sequence + 1)..].SelectMany(piece => piece.SpecialIds)];
    }

    public int[] SingleIdsBefore { get; }

    public int[] SingleIdsAfter { get; }

    public int AddedTokenCount(bool pair) => (pair ? _pair : _single).Sum(piece => piece.SpecialIds.Length);

    public TokenEncoding Process(TokenEncoding first, TokenEncoding? second, bool addSpecialTokens)
    {
        var builder = new TokenEncodingBuilder();
        foreach (TemplatePiece piece in second is null ? _single : _pair)
        {
            if (piece.IsSequence)
                builder.Add(piece.Sequence == 0 ? first : second!, piece.TypeId, (sbyte)piece.Sequence);
            else if (addSpecialTokens)
                builder.AddSpecial(piece.SpecialIds, piece.TypeId);
        }
        return builder.Build();
    }
}

/// <summary>One piece of a template: a text ($A: <see cref="Sequence"/> 0, $B: 1) or a special token's ids.</summary>
internal sealed record TemplatePiece(int Sequence, int[] SpecialIds, int TypeId)
{
    public bool IsSequence => Sequence >= 0;

    public static TemplatePiece Text(int sequence, int typeId) => new(sequence, [], typeId);

    public static TemplatePiece Special(int[] ids, int typeId) => new(-1, ids, typeId);
}
