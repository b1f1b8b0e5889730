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
    private readonly IPostProcessor _postProcessor;

    private ModernBertTokenizer(TokenizerDefinition definition, ByteLevelBpeModel model, SpecialTokenIds specialTokenIds)
    {
        _normalizeToNfc = definition.NormalizeToNfc;
        _rawTextTokens = new AddedTokenSplitter(
            definition.AddedTokens.Where(token => !token.Normalized).Select(token => (token.Content, token)));
        _normalizedTextTokens = new AddedTokenSplitter(
            definition.AddedTokens.Where(token => token.Normalized)
                .Select(token => (_normalizeToNfc ? NfcNormalizer.Normalize(token.Content) : token.Content, token)));
        _model = model;
        _postProcessor = definition.PostProcessor;
        (ClsTokenId, SepTokenId, PadTokenId) = specialTokenIds;
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

    /// <summary>
    /// The encoding of <paramref name="text"/>, or of the pair (<paramref name="text"/>, <paramref name="textPair"/>),
    /// with ids, type ids, offsets and sequence ids as Hugging Face <c>tokenizers</c> gives them: each text is encoded,
    /// then cut to <paramref name="truncation"/> (whose maximum counts the template's special tokens when they are
    /// added), then put in the single or pair template.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// A text is not valid UTF-16, or the truncation cannot be done (as tokenizers refuses it: only_second without a
    /// pair, a text too short to lose what has to go, a maximum below the template's special tokens).
    /// </exception>
    public TokenEncoding Encode(string text, string? textPair, bool addSpecialTokens = true, Truncation? truncation = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        TokenEncoding first = EncodeSequence(text, typeId: 0);
        TokenEncoding? second = textPair is null ? null : EncodeSequence(textPair, typeId: 1);
        if (truncation is not null)
        {
            int added = addSpecialTokens ? AddedTokenCount(second is not null) : 0;
            if (truncation.MaxLength < added)
                throw new ArgumentException(
                    $"The maximum length {truncation.MaxLength} is below the {added} special tokens of the template.", nameof(truncation));
            (first, second) = EncodingTruncation.Truncate(first, second, truncation.MaxLength - added, truncation.Strategy);
        }
        return _postProcessor.Process(first, second, addSpecialTokens);
    }

    /// <summary>
    /// The post-processor alone: the template's special tokens and type ids put around encodings of texts without
    /// special tokens (from <see cref="Encode(string, string?, bool, Truncation?)"/> with addSpecialTokens = false).
    /// </summary>
    public TokenEncoding ApplyTemplate(TokenEncoding first, TokenEncoding? second)
    {
        ArgumentNullException.ThrowIfNull(first);
        return _postProcessor.Process(first, second, addSpecialTokens: true);
    }

    /// <summary>How many special tokens the template adds to one text (<paramref name="pair"/> false) or to a pair.</summary>
    public int AddedTokenCount(bool pair) => _postProcessor.AddedTokenCount(pair);

    /// <summary>One text's tokens with their offsets, type id <paramref name="typeId"/> and sequence id = type id.</summary>
    private TokenEncoding EncodeSequence(string text, int typeId)
    {
        var ids = new List<int>();
        var offsets = new List<TokenOffset>();
        foreach (TextSegment segment in _rawTextTokens.Split(text))
        {
            if (segment.IsAddedToken)
            {
                ids.Add(segment.TokenId);
                offsets.Add(new TokenOffset(segment.Start, segment.Start + segment.Length));
                continue;
            }
            NormalizedText normalized = NormalizedText.FromOriginal(text.AsSpan(segment.Start, segment.Length), segment.Start);
            if (_normalizeToNfc && NfcNormalizer.MayNeedNormalization(normalized.Text))
                normalized.Transform(NfcNormalizer.NormalizeWithChanges(normalized.Text), initialOffset: 0);
            foreach (TextSegment inner in _normalizedTextTokens.Split(normalized.Text))
            {
                if (inner.IsAddedToken)
                {
                    ids.Add(inner.TokenId);
                    offsets.Add(normalized.OriginalSpan(inner.Start, inner.Start + inner.Length));
                }
                else
                {
                    _model.Encode(normalized, inner.Start, inner.Length, ids, offsets);
                }
            }
        }
        var sequenceIds = new sbyte[ids.Count];
        Array.Fill(sequenceIds, (sbyte)typeId);
        var typeIds = new int[ids.Count];
        Array.Fill(typeIds, typeId);
        return new TokenEncoding([.. ids], typeIds, [.. offsets], sequenceIds);
    }

    private int[] Encode(ReadOnlySpan<char> text, bool addSpecialTokens)
    {
        List<int> ids = t_scratchIds ??= [];
        ids.Clear();
        if (addSpecialTokens)
            ids.AddRange(_postProcessor.SingleIdsBefore);
        foreach (TextSegment segment in _rawTextTokens.Split(text))
        {
            if (segment.IsAddedToken)
                ids.Add(segment.TokenId);
            else
                AppendNormalizedText(text.Slice(segment.Start, segment.Length), ids);
        }
        if (addSpecialTokens)
            ids.AddRange(_postProcessor.SingleIdsAfter);

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
