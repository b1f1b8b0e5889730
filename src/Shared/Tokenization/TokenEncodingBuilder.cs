namespace ModernBert.Tokenization;

/// <summary>Puts a <see cref="TokenEncoding"/> together from texts' tokens and special tokens.</summary>
internal sealed class TokenEncodingBuilder
{
    private readonly List<int> _ids = [];
    private readonly List<int> _typeIds = [];
    private readonly List<TokenOffset> _offsets = [];
    private readonly List<sbyte> _sequenceIds = [];

    public int Count => _ids.Count;

    /// <summary>A token of a text.</summary>
    public void Add(int id, TokenOffset offset, int typeId, sbyte sequenceId)
    {
        _ids.Add(id);
        _offsets.Add(offset);
        _typeIds.Add(typeId);
        _sequenceIds.Add(sequenceId);
    }

    /// <summary>The tokens of <paramref name="encoding"/>, with the given type id and sequence id.</summary>
    public void Add(TokenEncoding encoding, int typeId, sbyte sequenceId)
    {
        for (int i = 0; i < encoding.Length; i++)
            Add(encoding.Ids[i], encoding.Offsets[i], typeId, sequenceId);
    }

    /// <summary>The tokens of <paramref name="encoding"/> as they are.</summary>
    public void Add(TokenEncoding encoding)
    {
        for (int i = 0; i < encoding.Length; i++)
            Add(encoding.Ids[i], encoding.Offsets[i], encoding.TypeIds[i], encoding.SequenceIds[i]);
    }

    /// <summary>Special tokens: offsets (0, 0), sequence id -1.</summary>
    public void AddSpecial(int[] ids, int typeId)
    {
        foreach (int id in ids)
            Add(id, default, typeId, -1);
    }

    public TokenEncoding Build() => new([.. _ids], [.. _typeIds], [.. _offsets], [.. _sequenceIds]);
}
