namespace ModernBert.Tokenization;

/// <summary>
/// A checkpoint's tokenizer (tokenizer.json + tokenizer_config.json), giving exactly the ids of Hugging Face
/// <c>tokenizers</c>' <c>encode(text)</c>. The steps are those of <c>tokenizers</c>: added tokens with
/// normalized = false are cut out of the raw text; the rest is NFC-normalized; added tokens with normalized = true
/// are cut out of that; what remains goes through GPT-2 pre-tokenization and byte-level BPE (Microsoft.ML.Tokenizers);
/// the post-processor template adds [CLS] and [SEP]. Thread-safe: one instance serves all threads.
/// </summary>
public sealed class ModernBertTokenizer
{
    /// <summary>The file holding the tokenizer, in a checkpoint folder.</summary>
    public const string TokenizerFileName = "tokenizer.json";

    /// <summary>The optional file naming the special tokens, in a checkpoint folder.</summary>
    public const string TokenizerConfigFileName = "tokenizer_config.json";

    /// <summary>Scratch id lists larger than this are not kept for the thread's next call.</summary>
    private const int MaxRetainedScratchCapacity = 1 << 20;

    [ThreadStatic]
    private static List<int>? t_scratchIds;

    private readonly AddedTokenSplitter _rawTextTokens;
    private readonly AddedTokenSplitter _normalizedTextTokens;
    private readonly bool _normalizeToNfc;
    private readonly ByteLevelBpeModel _model;
    private readonly int[] _specialTokensBefore;
    private readonly int[] _specialTokensAfter;
    private readonly Dictionary<string, int> _tokenIds;

    private ModernBertTokenizer(TokenizerDefinition definition, ByteLevelBpeModel model, SpecialTokenIds specialTokenIds)
    {
        _normalizeToNfc = definition.NormalizeToNfc;
        _rawTextTokens = new AddedTokenSplitter(
            definition.AddedTokens.Where(token => !token.Normalized).Select(token => (token.Content, token)));
        _normalizedTextTokens = new AddedTokenSplitter(
            definition.AddedTokens.Where(token => token.Normalized)
                .Select(token => (_normalizeToNfc ? NfcNormalizer.Normalize(token.Content) : token.Content, token)));
        _model = model;
        _specialTokensBefore = definition.SpecialTokensBefore;
        _specialTokensAfter = definition.SpecialTokensAfter;
        (ClsTokenId, SepTokenId, PadTokenId) = specialTokenIds;
        _tokenIds = new Dictionary<string, int>(definition.Vocabulary, StringComparer.Ordinal);
        foreach (AddedToken token in definition.AddedTokens)
            _tokenIds[token.Content] = token.Id;
        VocabularySize = definition.Vocabulary.Values
            .Concat(definition.AddedTokens.Select(token => token.Id))
            .Max() + 1;
    }

    /// <summary>The id of the classification token ([CLS]).</summary>
    public int ClsTokenId { get; }

    /// <summary>The id of the separator token ([SEP]).</summary>
    public int SepTokenId { get; }

    /// <summary>The id of the padding token ([PAD]).</summary>
    public int PadTokenId { get; }

    /// <summary>The highest id, added tokens included, plus one.</summary>
    public int VocabularySize { get; }

    /// <summary>The id of a token given as its vocabulary string or added token's content (convert_tokens_to_ids).</summary>
    public bool TryGetTokenId(string token, out int id) => _tokenIds.TryGetValue(token, out id);

    /// <summary>
    /// Loads the tokenizer of a checkpoint folder: tokenizer.json, and tokenizer_config.json when present (for the
    /// names of the [CLS], [SEP] and [PAD] tokens; ModernBERT's names otherwise).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">The folder has no tokenizer.json.</exception>
    /// <exception cref="InvalidDataException">A file is invalid or describes a tokenizer that is not supported.</exception>
    public static ModernBertTokenizer Load(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"Tokenizer folder not found: {directory}");
        string tokenizerPath = Path.Combine(directory, TokenizerFileName);
        string configPath = Path.Combine(directory, TokenizerConfigFileName);

        TokenizerDefinition definition = TokenizerJsonReader.Read(tokenizerPath);
        SpecialTokenNames names = TokenizerConfigReader.Read(configPath);
        var specialTokenIds = new SpecialTokenIds(
            ResolveSpecialToken(definition, names.Cls, tokenizerPath),
            ResolveSpecialToken(definition, names.Sep, tokenizerPath),
            ResolveSpecialToken(definition, names.Pad, tokenizerPath));

        ByteLevelBpeModel model;
        try
        {
            model = new ByteLevelBpeModel(definition.Vocabulary, definition.Merges, definition.UnknownToken, definition.FuseUnknownTokens);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidDataException($"{tokenizerPath}: the BPE model is inconsistent: {e.Message}", e);
        }
        return new ModernBertTokenizer(definition, model, specialTokenIds);
    }

    /// <summary>The ids of <paramref name="text"/> with the template's special tokens: [CLS] ... [SEP].</summary>
    /// <exception cref="ArgumentException">
    /// The text is not valid UTF-16: it holds an unpaired surrogate (checked where the tokenizer normalizes, as ModernBERT's does).
    /// </exception>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Encode(text, addSpecialTokens: true);
    }

    /// <summary>The ids of <paramref name="text"/> alone, without [CLS] and [SEP] (to cut long documents into windows).</summary>
    /// <exception cref="ArgumentException">
    /// The text is not valid UTF-16: it holds an unpaired surrogate (checked where the tokenizer normalizes, as ModernBERT's does).
    /// </exception>
    public int[] EncodeWithoutSpecialTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Encode(text, addSpecialTokens: false);
    }

    private int[] Encode(ReadOnlySpan<char> text, bool addSpecialTokens)
    {
        List<int> ids = t_scratchIds ??= [];
        ids.Clear();
        if (addSpecialTokens)
            ids.AddRange(_specialTokensBefore);
        foreach (TextSegment segment in _rawTextTokens.Split(text))
        {
            if (segment.IsAddedToken)
                ids.Add(segment.TokenId);
            else
                AppendNormalizedText(text.Slice(segment.Start, segment.Length), ids);
        }
        if (addSpecialTokens)
            ids.AddRange(_specialTokensAfter);

        int[] result = [.. ids];
        if (ids.Capacity > MaxRetainedScratchCapacity)
            t_scratchIds = null;
        return result;
    }

    private void AppendNormalizedText(ReadOnlySpan<char> rawText, List<int> ids)
    {
        ReadOnlySpan<char> text = NormalizeText(rawText);
        foreach (TextSegment segment in _normalizedTextTokens.Split(text))
        {
            if (segment.IsAddedToken)
                ids.Add(segment.TokenId);
            else
                _model.Encode(text.Slice(segment.Start, segment.Length), ids);
        }
    }

    private ReadOnlySpan<char> NormalizeText(ReadOnlySpan<char> text)
        => _normalizeToNfc && NfcNormalizer.MayNeedNormalization(text) ? NfcNormalizer.Normalize(text) : text;

    private static int ResolveSpecialToken(TokenizerDefinition definition, string name, string tokenizerPath)
    {
        AddedToken? added = definition.AddedTokens.FirstOrDefault(token => token.Content == name);
        if (added is not null)
            return added.Id;
        return definition.Vocabulary.TryGetValue(name, out int id)
            ? id
            : throw new InvalidDataException($"{tokenizerPath}: the special token '{name}' is neither an added token nor in model.vocab.");
    }

    private readonly record struct SpecialTokenIds(int Cls, int Sep, int Pad);
}
