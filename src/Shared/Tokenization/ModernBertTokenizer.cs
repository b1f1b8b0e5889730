using ModernBert.Tokenization.Models;
using ModernBert.Tokenization.Normalizers;
using ModernBert.Tokenization.PostProcessors;
using ModernBert.Tokenization.PreTokenizers;

namespace ModernBert.Tokenization;

/// <summary>
/// A checkpoint's tokenizer (tokenizer.json + tokenizer_config.json), giving exactly what Hugging Face
/// <c>tokenizers</c> gives. The steps are those of <c>tokenizers</c>: added tokens with normalized = false are cut
/// out of the raw text; the rest goes through the normalizer (each character keeping its span in the original);
/// added tokens with normalized = true are cut out of that; the pre-tokenizer splits what remains into pieces; the
/// model turns each piece into tokens; the post-processor adds the template's special tokens and type ids.
/// Today's ModernBERT kind (NFC, ByteLevel, byte-level BPE) has a faster path for ids alone
/// (<see cref="ByteLevelBpeModel"/>), held to the same results. Thread-safe: one instance serves all threads.
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
    private readonly INormalizer? _normalizer;
    private readonly IPreTokenizer? _preTokenizer;
    private readonly ITokenizationModel _model;
    private readonly IPostProcessor? _postProcessor;
    private readonly (int[] Before, int[] After) _singleIds;
    private readonly ByteLevelBpeModel? _byteLevelBpe;
    private readonly bool _byteLevelBpeNormalizesToNfc;
    private readonly IReadOnlyDictionary<int, string> _tokenStrings;
    private readonly Dictionary<string, int> _addedTokenIds;

    private ModernBertTokenizer(TokenizerDefinition definition, SpecialTokenIds specialTokenIds, string tokenizerPath, int? modelVocabularySize)
    {
        _normalizer = definition.Normalizer;
        _preTokenizer = definition.PreTokenizer;
        _model = definition.Model;
        _postProcessor = definition.PostProcessor;
        _tokenStrings = definition.TokenStrings;
        _singleIds = _postProcessor?.SingleIds ?? ([], []);
        _rawTextTokens = new AddedTokenSplitter(
            definition.AddedTokens.Where(token => !token.Normalized).Select(token => (token.Content, token)));
        _normalizedTextTokens = new AddedTokenSplitter(
            definition.AddedTokens.Where(token => token.Normalized).Select(token => (NormalizeAddedToken(token.Content), token)));
        if (definition.ByteLevelBpe is { } bpe)
        {
            try
            {
                _byteLevelBpe = new ByteLevelBpeModel(bpe.Vocabulary, bpe.Merges, bpe.UnknownToken, bpe.FuseUnknownTokens);
            }
            catch (InvalidOperationException e)
            {
                throw new InvalidDataException($"{tokenizerPath}: the BPE model is inconsistent: {e.Message}", e);
            }
            _byteLevelBpeNormalizesToNfc = bpe.NormalizeToNfc;
        }
        (ClsTokenId, SepTokenId, PadTokenId) = specialTokenIds;
        _addedTokenIds = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (AddedToken token in definition.AddedTokens)
            _addedTokenIds[token.Content] = token.Id;
        VocabularySize = Math.Max(_model.VocabularySize, definition.AddedTokens.Select(token => token.Id + 1).DefaultIfEmpty(0).Max());
        if (VocabularySize > modelVocabularySize)
            throw new InvalidDataException($"{tokenizerPath}: the tokenizer has ids up to {VocabularySize - 1}, but the model's vocab_size is " +
                $"{modelVocabularySize} (config.json): the model has no embedding for ids {modelVocabularySize} and above.");
        ModelVocabularySize = modelVocabularySize ?? VocabularySize;
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
    /// How many ids the model's inputs may hold: the vocab_size of the model the tokenizer was loaded for, which may
    /// exceed <see cref="VocabularySize"/> (embedding matrices padded to a multiple of 64 hold ids no token has);
    /// <see cref="VocabularySize"/> for a tokenizer loaded alone.
    /// </summary>
    public int ModelVocabularySize { get; }

    /// <summary>The id of a token given as its vocabulary string or added token's content (convert_tokens_to_ids).</summary>
    public bool TryGetTokenId(string token, out int id) => _addedTokenIds.TryGetValue(token, out id) || _model.TryGetId(token, out id);

    /// <summary>
    /// Loads the tokenizer of a checkpoint folder: tokenizer.json, and tokenizer_config.json when present (for the
    /// names of the [CLS], [SEP] and [PAD] tokens; ModernBERT's names otherwise).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">The folder has no tokenizer.json.</exception>
    /// <param name="modelVocabularySize">
    /// The vocab_size of the model the tokenizer serves (config.json; see <see cref="ModelVocabularySize"/>); null: none.
    /// </param>
    /// <exception cref="InvalidDataException">
    /// A file is invalid or describes a tokenizer that is not supported, or the tokenizer has more ids than the model.
    /// </exception>
    public static ModernBertTokenizer Load(string directory, int? modelVocabularySize = null)
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
        return new ModernBertTokenizer(definition, specialTokenIds, tokenizerPath, modelVocabularySize);
    }

    /// <summary>The ids of <paramref name="text"/> with the template's special tokens: [CLS] ... [SEP].</summary>
    /// <exception cref="ArgumentException">The text is not valid UTF-16: it holds an unpaired surrogate.</exception>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return EncodeIds(text, addSpecialTokens: true);
    }

    /// <summary>The ids of <paramref name="text"/> alone, without [CLS] and [SEP] (to cut long documents into windows).</summary>
    /// <exception cref="ArgumentException">The text is not valid UTF-16: it holds an unpaired surrogate.</exception>
    public int[] EncodeWithoutSpecialTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return EncodeIds(text, addSpecialTokens: false);
    }

    /// <summary>
    /// The encoding of <paramref name="text"/>, or of the pair (<paramref name="text"/>, <paramref name="textPair"/>),
    /// with ids, type ids, offsets and sequence ids as Hugging Face <c>tokenizers</c> gives them: each text is encoded,
    /// then cut to <paramref name="truncation"/> (whose maximum counts the template's special tokens when they are
    /// added), then put in the single or pair template.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// A text is not valid UTF-16, or the truncation cannot be done (as tokenizers refuses it: only_second without a
    /// pair, a text too short to lose what has to go; and a maximum below the template's special tokens).
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
        return PostProcessing.Process(_postProcessor, first, second, addSpecialTokens);
    }

    /// <summary>
    /// The post-processor alone: the template's special tokens and type ids put around encodings of texts without
    /// special tokens (from <see cref="Encode(string, string?, bool, Truncation?)"/> with addSpecialTokens = false).
    /// </summary>
    public TokenEncoding ApplyTemplate(TokenEncoding first, TokenEncoding? second)
    {
        ArgumentNullException.ThrowIfNull(first);
        return PostProcessing.Process(_postProcessor, WithSequence(first, 0), second is null ? null : WithSequence(second, 1), addSpecialTokens: true);
    }

    /// <summary>How many special tokens the template adds to one text (<paramref name="pair"/> false) or to a pair.</summary>
    public int AddedTokenCount(bool pair) => _postProcessor?.AddedTokenCount(pair) ?? 0;

    private int[] EncodeIds(string text, bool addSpecialTokens)
    {
        RejectUnpairedSurrogates(text);
        if (_byteLevelBpe is null)
        {
            TokenEncoding encoding = EncodeSequence(text, typeId: 0);
            return addSpecialTokens ? [.. _singleIds.Before, .. encoding.Ids, .. _singleIds.After] : encoding.Ids;
        }
        List<int> ids = t_scratchIds ??= [];
        ids.Clear();
        if (addSpecialTokens)
            ids.AddRange(_singleIds.Before);
        foreach (TextSegment segment in _rawTextTokens.Split(text))
        {
            if (segment.IsAddedToken)
                ids.Add(segment.TokenId);
            else
                AppendByteLevelBpeIds(text.AsSpan(segment.Start, segment.Length), ids);
        }
        if (addSpecialTokens)
            ids.AddRange(_singleIds.After);

        int[] result = [.. ids];
        if (ids.Capacity > MaxRetainedScratchCapacity)
            t_scratchIds = null;
        return result;
    }

    private void AppendByteLevelBpeIds(ReadOnlySpan<char> rawText, List<int> ids)
    {
        ReadOnlySpan<char> text = _byteLevelBpeNormalizesToNfc && NfcNormalizer.MayNeedNormalization(rawText)
            ? NfcNormalizer.Normalize(rawText)
            : rawText;
        foreach (TextSegment segment in _normalizedTextTokens.Split(text))
        {
            if (segment.IsAddedToken)
                ids.Add(segment.TokenId);
            else
                _byteLevelBpe!.Encode(text.Slice(segment.Start, segment.Length), ids);
        }
    }

    /// <summary>One text's tokens with their offsets, type id <paramref name="typeId"/> and sequence id = type id.</summary>
    private TokenEncoding EncodeSequence(string text, int typeId)
    {
        RejectUnpairedSurrogates(text);
        var ids = new List<int>();
        var offsets = new List<TokenOffset>();
        var tokens = new List<string>();
        var pieces = new List<NormalizedText>();
        var modelTokens = new List<ModelToken>();
        foreach (TextSegment segment in _rawTextTokens.Split(text))
        {
            if (segment.IsAddedToken)
            {
                ids.Add(segment.TokenId);
                offsets.Add(new TokenOffset(segment.Start, segment.Start + segment.Length));
                tokens.Add(text.Substring(segment.Start, segment.Length));
                continue;
            }
            NormalizedText normalized = NormalizedText.FromOriginal(text.AsSpan(segment.Start, segment.Length), segment.Start);
            _normalizer?.Normalize(normalized);
            foreach (TextSegment inner in _normalizedTextTokens.Split(normalized.Text))
            {
                if (inner.IsAddedToken)
                {
                    ids.Add(inner.TokenId);
                    offsets.Add(normalized.OriginalSpan(inner.Start, inner.Start + inner.Length));
                    tokens.Add(normalized.Text.Substring(inner.Start, inner.Length));
                    continue;
                }
                pieces.Clear();
                pieces.Add(normalized.Slice(inner.Start, inner.Start + inner.Length));
                _preTokenizer?.PreTokenize(pieces);
                foreach (NormalizedText piece in pieces)
                {
                    modelTokens.Clear();
                    _model.Tokenize(piece.Text, modelTokens);
                    foreach (ModelToken token in modelTokens)
                    {
                        ids.Add(token.Id);
                        offsets.Add(piece.OriginalSpan(token.Start, token.End));
                        tokens.Add(_tokenStrings.GetValueOrDefault(token.Id, ""));
                    }
                }
            }
        }
        var sequenceIds = new sbyte[ids.Count];
        Array.Fill(sequenceIds, (sbyte)typeId);
        var typeIds = new int[ids.Count];
        Array.Fill(typeIds, typeId);
        return new TokenEncoding([.. ids], typeIds, [.. offsets], sequenceIds) { Source = ([.. tokens], text) };
    }

    /// <summary>
    /// Refuses a string that is not valid UTF-16, as Hugging Face tokenizers refuses one that is not valid UTF-8 (its
    /// Python binding cannot take it; its Node binding would silently read U+FFFD instead).
    /// </summary>
    private static void RejectUnpairedSurrogates(ReadOnlySpan<char> text)
    {
        int index = text.IndexOfAnyInRange('\uD800', '\uDFFF');
        while (index >= 0)
        {
            if (!char.IsHighSurrogate(text[index]) || index + 1 == text.Length || !char.IsLowSurrogate(text[index + 1]))
                throw new ArgumentException($"The text is not valid UTF-16: unpaired surrogate at index {index}.", nameof(text));
            int next = text[(index + 2)..].IndexOfAnyInRange('\uD800', '\uDFFF');
            index = next < 0 ? -1 : index + 2 + next;
        }
    }

    /// <summary>An added token's text as the normalized text holds it (tokenizers normalizes normalized = true tokens).</summary>
    private string NormalizeAddedToken(string content)
    {
        if (_normalizer is null)
            return content;
        NormalizedText text = NormalizedText.FromOriginal(content, 0);
        _normalizer.Normalize(text);
        return text.Text;
    }

    /// <summary>The encoding as <see cref="EncodeSequence"/> gives a text: type id and sequence id of its place in the pair.</summary>
    private static TokenEncoding WithSequence(TokenEncoding encoding, sbyte sequenceId)
    {
        var sequenceIds = new sbyte[encoding.Length];
        Array.Fill(sequenceIds, sequenceId);
        var typeIds = new int[encoding.Length];
        Array.Fill(typeIds, sequenceId);
        return encoding with { TypeIds = typeIds, SequenceIds = sequenceIds };
    }

    private static int ResolveSpecialToken(TokenizerDefinition definition, string name, string tokenizerPath)
    {
        AddedToken? added = definition.AddedTokens.FirstOrDefault(token => token.Content == name);
        if (added is not null)
            return added.Id;
        return definition.Model.TryGetId(name, out int id)
            ? id
            : throw new InvalidDataException($"{tokenizerPath}: the special token '{name}' is neither an added token nor in model.vocab.");
    }

    private readonly record struct SpecialTokenIds(int Cls, int Sep, int Pad);
}
