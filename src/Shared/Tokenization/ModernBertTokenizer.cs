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
/// Ids alone take the same steps without offsets or token strings; today's ModernBERT kind (NFC, ByteLevel,
/// byte-level BPE) has a faster path still (<see cref="ByteLevelBpeModel"/>), held to the same results.
/// Thread-safe: one instance serves all threads.
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

    [ThreadStatic]
    private static List<NormalizedText>? t_scratchPieces;

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
        (ClsTokenId, SepTokenId) = specialTokenIds;
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
    /// names of the [CLS] and [SEP] tokens; where it names none, the template's own tokens around a text, else
    /// ModernBERT's names).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">The folder has no tokenizer.json.</exception>
    /// <param name="modelVocabularySize">
    /// The vocab_size of the model the tokenizer serves (config.json; see <see cref="ModelVocabularySize"/>); null: none.
    /// </param>
    /// <param name="lowercase">Lowercase texts first, as sentence_bert_config.json's do_lower_case says (<see cref="TokenizerDefinition.Lowercased"/>).</param>
    /// <exception cref="InvalidDataException">
    /// A file is invalid or describes a tokenizer that is not supported, or the tokenizer has more ids than the model.
    /// </exception>
    public static ModernBertTokenizer Load(string directory, int? modelVocabularySize = null, bool lowercase = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"Tokenizer folder not found: {directory}");
        string tokenizerPath = Path.Combine(directory, TokenizerFileName);
        string configPath = Path.Combine(directory, TokenizerConfigFileName);

        TokenizerDefinition definition = TokenizerJsonReader.Read(tokenizerPath);
        if (lowercase)
            definition = definition.Lowercased();
        SpecialTokenNames names = TokenizerConfigReader.Read(configPath);
        (int[] before, int[] after) = definition.PostProcessor?.SingleIds ?? ([], []);
        var specialTokenIds = new SpecialTokenIds(
            ResolveSpecialToken(definition, names.Cls, before, "cls_token", "[CLS]", tokenizerPath),
            ResolveSpecialToken(definition, names.Sep, after, "sep_token", "[SEP]", tokenizerPath));
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
        TokenEncoding first = EncodeSequence(text, typeId: 0, TokenLimit(truncation, typeId: 0));
        TokenEncoding? second = textPair is null ? null : EncodeSequence(textPair, typeId: 1, TokenLimit(truncation, typeId: 1));
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
        List<int> ids = t_scratchIds ??= [];
        ids.Clear();
        if (addSpecialTokens)
            ids.AddRange(_singleIds.Before);
        if (_byteLevelBpe is null)
        {
            var sink = new IdsSink(ids, _model);
            Walk(text, ref sink);
        }
        else
        {
            foreach (TextSegment segment in _rawTextTokens.Split(text))
            {
                if (segment.IsAddedToken)
                    ids.Add(segment.TokenId);
                else
                    AppendByteLevelBpeIds(text.AsSpan(segment.Start, segment.Length), ids);
            }
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

    /// <summary>
    /// How many tokens a text with <paramref name="typeId"/> is tokenized to at least before truncation: tokenizers
    /// 0.23 stops at the pre-token that reaches the maximum length (tokenizer/mod.rs <c>do_tokenize</c>, pre_tokenizer.rs
    /// <c>tokenize_with_limit</c>), except for the first text under only_second; truncation then cuts what is left.
    /// Both texts of a pair longer than the maximum are thus cut as if each were that long.
    /// </summary>
    private static int? TokenLimit(Truncation? truncation, int typeId)
        => truncation is null || (truncation.Strategy == TruncationStrategy.OnlySecond && typeId == 0) ? null : truncation.MaxLength;

    /// <summary>
    /// One text's tokens with their offsets, type id <paramref name="typeId"/> and sequence id = type id; with a
    /// <paramref name="tokenLimit"/>, those up to the pre-token that brings the count to it (added tokens count, but
    /// only a pre-token stops).
    /// </summary>
    private TokenEncoding EncodeSequence(string text, int typeId, int? tokenLimit)
    {
        RejectUnpairedSurrogates(text);
        var sink = new EncodingSink(_model, _tokenStrings);
        Walk(text, ref sink, tokenLimit);
        var sequenceIds = new sbyte[sink.Ids.Count];
        Array.Fill(sequenceIds, (sbyte)typeId);
        var typeIds = new int[sink.Ids.Count];
        Array.Fill(typeIds, typeId);
        return new TokenEncoding([.. sink.Ids], typeIds, [.. sink.Offsets], sequenceIds) { Source = ([.. sink.Tokens], text) };
    }

    /// <summary>
    /// The steps of <c>tokenizers</c> on one text, handing each added token and each pre-tokenized piece to
    /// <paramref name="sink"/> in order (a struct, so that each kind of sink gets its own compiled loop); with a
    /// <paramref name="tokenLimit"/>, up to the piece that brings the sink's count to it.
    /// </summary>
    private void Walk<TSink>(string text, ref TSink sink, int? tokenLimit = null) where TSink : struct, IPieceSink
    {
        List<NormalizedText> pieces = t_scratchPieces ??= [];
        foreach (TextSegment segment in _rawTextTokens.Split(text))
        {
            if (segment.IsAddedToken)
            {
                sink.AddedToken(segment.TokenId, new TokenOffset(segment.Start, segment.Start + segment.Length), text, segment.Start, segment.Length);
                continue;
            }
            NormalizedText normalized = NormalizedText.FromOriginal(text.AsSpan(segment.Start, segment.Length), segment.Start);
            _normalizer?.Normalize(normalized);
            foreach (TextSegment inner in _normalizedTextTokens.Split(normalized.Text))
            {
                if (inner.IsAddedToken)
                {
                    sink.AddedToken(inner.TokenId, normalized.OriginalSpan(inner.Start, inner.Start + inner.Length), normalized.Text, inner.Start, inner.Length);
                    continue;
                }
                pieces.Clear();
                pieces.Add(normalized.Slice(inner.Start, inner.Start + inner.Length));
                _preTokenizer?.PreTokenize(pieces);
                foreach (NormalizedText piece in pieces)
                {
                    sink.Piece(piece);
                    if (sink.Count >= tokenLimit)
                    {
                        pieces.Clear();
                        return;
                    }
                }
            }
        }
        pieces.Clear();
    }

    /// <summary>What <see cref="Walk"/> hands its results to.</summary>
    private interface IPieceSink
    {
        /// <summary>An added token, which matched <paramref name="length"/> units of <paramref name="source"/> at <paramref name="start"/>.</summary>
        void AddedToken(int id, TokenOffset offset, string source, int start, int length);

        /// <summary>A piece of text for the model.</summary>
        void Piece(NormalizedText piece);

        /// <summary>How many ids it holds.</summary>
        int Count { get; }
    }

    /// <summary>Ids alone: the model's fast path, no offsets or token strings.</summary>
    private readonly struct IdsSink(List<int> ids, ITokenizationModel model) : IPieceSink
    {
        public void AddedToken(int id, TokenOffset offset, string source, int start, int length) => ids.Add(id);

        public void Piece(NormalizedText piece) => model.TokenizeIds(piece.Text, ids);

        public int Count => ids.Count;
    }

    /// <summary>Ids, offsets in the original text and token strings.</summary>
    private readonly struct EncodingSink(ITokenizationModel model, IReadOnlyDictionary<int, string> tokenStrings) : IPieceSink
    {
        private readonly List<ModelToken> _modelTokens = [];

        public List<int> Ids { get; } = [];

        public List<TokenOffset> Offsets { get; } = [];

        public List<string> Tokens { get; } = [];

        public int Count => Ids.Count;

        public void AddedToken(int id, TokenOffset offset, string source, int start, int length)
        {
            Ids.Add(id);
            Offsets.Add(offset);
            Tokens.Add(source.Substring(start, length));
        }

        public void Piece(NormalizedText piece)
        {
            _modelTokens.Clear();
            model.Tokenize(piece.Text, _modelTokens);
            foreach (ModelToken token in _modelTokens)
            {
                Ids.Add(token.Id);
                Offsets.Add(piece.OriginalSpan(token.Start, token.End));
                Tokens.Add(tokenStrings.GetValueOrDefault(token.Id, ""));
            }
        }
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

    /// <summary>
    /// The id of the token named <paramref name="configuredName"/> in tokenizer_config.json; where it names none, the
    /// one special token the single template puts on that side of a text (what encoding a text adds), else
    /// <paramref name="defaultName"/> (ModernBERT's).
    /// </summary>
    private static int ResolveSpecialToken(TokenizerDefinition definition, string? configuredName, int[] templateIds, string configKey,
        string defaultName, string tokenizerPath)
    {
        if (configuredName is null && templateIds.Length == 1)
            return templateIds[0];
        string name = configuredName ?? defaultName;
        AddedToken? added = definition.AddedTokens.FirstOrDefault(token => token.Content == name);
        if (added is not null)
            return added.Id;
        return definition.Model.TryGetId(name, out int id)
            ? id
            : throw new InvalidDataException(configuredName is null
                ? $"{tokenizerPath}: no {configKey} in {TokenizerConfigFileName}, no single special token on that side of the post-processor's " +
                  $"template, and the default '{name}' is neither an added token nor in model.vocab."
                : $"{tokenizerPath}: the special token '{name}' is neither an added token nor in model.vocab.");
    }

    private readonly record struct SpecialTokenIds(int Cls, int Sep);
}
