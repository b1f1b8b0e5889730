using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ModernBert.Tokenization.Models;
using ModernBert.Tokenization.Normalizers;
using ModernBert.Tokenization.PostProcessors;
using ModernBert.Tokenization.PreTokenizers;

namespace ModernBert.Tokenization;

/// <summary>
/// Reads a Hugging Face tokenizer.json: its normalizer, pre-tokenizer, model (<see cref="TokenizationModelReader"/>),
/// post-processor and added tokens, with the options tokenizers' deserializers read. A component type or an option
/// this reader does not know is refused with an <see cref="InvalidDataException"/> naming the file, the JSON path
/// and the name. Truncation, padding and the decoder are not read: callers window long documents themselves, and
/// nothing here decodes.
/// </summary>
internal sealed partial class TokenizerJsonReader
{
    private static readonly string[] RootKeys =
        ["version", "truncation", "padding", "added_tokens", "normalizer", "pre_tokenizer", "model", "post_processor", "decoder"];

    private static readonly string[] AddedTokenKeys = ["id", "content", "single_word", "lstrip", "rstrip", "normalized", "special"];

    private readonly string _path;

    private TokenizerJsonReader(string path) => _path = path;

    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not JSON or describes a tokenizer this reader does not support.</exception>
    public static TokenizerDefinition Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Tokenizer file not found: {path}", path);
        using JsonDocument document = JsonFile.Parse(path);
        return new TokenizerJsonReader(path).Read(document.RootElement);
    }

    private TokenizerDefinition Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw Invalid("the root is not a JSON object");
        CheckKeys(root, "", RootKeys, "tokenizer.json");
        JsonElement modelElement = RequireObject(root, "model", "model");
        ITokenizationModel model = TokenizationModelReader.Read(modelElement, _path);
        Dictionary<int, string> tokenStrings = ReadTokenStrings(modelElement);
        List<AddedToken> addedTokens = ReadAddedTokens(root, model, tokenStrings);
        foreach (AddedToken token in addedTokens)
            tokenStrings[token.Id] = token.Content;

        INormalizer? normalizer = Optional(root, "normalizer", "normalizer", ReadNormalizer);
        IPreTokenizer? preTokenizer = Optional(root, "pre_tokenizer", "pre_tokenizer", ReadPreTokenizer);
        IPostProcessor? postProcessor = Optional(root, "post_processor", "post_processor",
            ReadPostProcessor);
        return new TokenizerDefinition(model, normalizer, preTokenizer, postProcessor, addedTokens, tokenStrings,
            ByteLevelBpeFastPath(root, modelElement));
    }

    private T? Optional<T>(JsonElement parent, string name, string where, Func<JsonElement, string, T> read) where T : class
        => parent.TryGetProperty(name, out JsonElement element) && element.ValueKind != JsonValueKind.Null ? read(element, where) : null;

    private INormalizer ReadNormalizer(JsonElement element, string where)
    {
        string type = ComponentType(element, where);
        switch (type)
        {
            case "NFC" or "NFD" or "NFKC" or "NFKD":
                CheckKeys(element, where, ["type"], type);
                return new UnicodeFormNormalizer(compatibility: type.StartsWith("NFK", StringComparison.Ordinal), compose: type.EndsWith('C'));
            case "Lowercase":
                CheckKeys(element, where, ["type"], type);
                return new LowercaseNormalizer();
            case "StripAccents":
                CheckKeys(element, where, ["type"], type);
                return new StripAccentsNormalizer();
            case "Strip":
                CheckKeys(element, where, ["type", "strip_left", "strip_right"], type);
                return new StripNormalizer(Bool(element, "strip_left", where) ?? true, Bool(element, "strip_right", where) ?? true);
            case "Replace":
                CheckKeys(element, where, ["type", "pattern", "content"], type);
                return new ReplaceNormalizer(ReadPattern(element, where), RequireString(element, "content", where));
            case "Prepend":
                CheckKeys(element, where, ["type", "prepend"], type);
                return new PrependNormalizer(RequireString(element, "prepend", where));
            case "BertNormalizer":
                CheckKeys(element, where, ["type", "clean_text", "handle_chinese_chars", "strip_accents", "lowercase"], type);
                return new BertNormalizer(
                    Bool(element, "clean_text", where) ?? true, Bool(element, "handle_chinese_chars", where) ?? true,
                    Bool(element, "strip_accents", where), Bool(element, "lowercase", where) ?? true);
            case "Precompiled":
                CheckKeys(element, where, ["type", "precompiled_charsmap"], type);
                return ReadPrecompiled(element, where);
            case "Sequence":
                CheckKeys(element, where, ["type", "normalizers"], type);
                return new SequenceNormalizer(ReadArray(element, "normalizers", where, ReadNormalizer));
            default:
                throw Unknown(where, "normalizer", type, "NFC, NFD, NFKC, NFKD, Lowercase, Strip, StripAccents, Replace, Prepend, BertNormalizer, Precompiled, Sequence");
        }
    }

    private INormalizer ReadPrecompiled(JsonElement element, string where)
    {
        string? charsmap = String(element, "precompiled_charsmap", where);
        if (string.IsNullOrEmpty(charsmap))
            return new SequenceNormalizer([]); // tokenizers treats an empty charsmap as no normalization
        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(charsmap);
        }
        catch (FormatException)
        {
            throw Invalid($"{where}.precompiled_charsmap is not base64");
        }
        try
        {
            return new PrecompiledNormalizer(PrecompiledCharsMap.Parse(blob));
        }
        catch (InvalidDataException e)
        {
            throw Invalid($"{where}.precompiled_charsmap is not a SentencePiece charsmap: {e.Message.TrimEnd('.')}");
        }
    }

    private IPreTokenizer ReadPreTokenizer(JsonElement element, string where)
    {
        string type = ComponentType(element, where);
        switch (type)
        {
            case "ByteLevel":
                CheckKeys(element, where, ["type", "add_prefix_space", "trim_offsets", "use_regex"], type);
                return new ByteLevelPreTokenizer(Bool(element, "add_prefix_space", where) ?? true, Bool(element, "use_regex", where) ?? true);
            case "Metaspace":
                return ReadMetaspace(element, where);
            case "Split":
                CheckKeys(element, where, ["type", "pattern", "behavior", "invert"], type);
                return StandardPreTokenizers.Split(ReadPattern(element, where), ReadBehavior(element, where) ?? throw Invalid($"{where}.behavior is missing"),
                    Bool(element, "invert", where) ?? false);
            case "Whitespace":
                CheckKeys(element, where, ["type"], type);
                return StandardPreTokenizers.Whitespace();
            case "WhitespaceSplit":
                CheckKeys(element, where, ["type"], type);
                return StandardPreTokenizers.WhitespaceSplit();
            case "BertPreTokenizer":
                CheckKeys(element, where, ["type"], type);
                return StandardPreTokenizers.Bert();
            case "Punctuation":
                CheckKeys(element, where, ["type", "behavior"], type);
                return StandardPreTokenizers.Punctuation(ReadBehavior(element, where) ?? SplitBehavior.Isolated);
            case "Digits":
                CheckKeys(element, where, ["type", "individual_digits"], type);
                return StandardPreTokenizers.Digits(Bool(element, "individual_digits", where) ?? false);
            case "CharDelimiterSplit":
                CheckKeys(element, where, ["type", "delimiter"], type);
                return StandardPreTokenizers.CharDelimiter(SingleCharacter(element, "delimiter", where));
            case "UnicodeScripts":
                CheckKeys(element, where, ["type"], type);
                return new UnicodeScriptsPreTokenizer();
            case "Sequence":
                CheckKeys(element, where, ["type", "pretokenizers"], type);
                return new SequencePreTokenizer(ReadArray(element, "pretokenizers", where, ReadPreTokenizer));
            default:
                throw Unknown(where, "pre-tokenizer", type,
                    "ByteLevel, Metaspace, Split, Whitespace, WhitespaceSplit, BertPreTokenizer, Punctuation, Digits, CharDelimiterSplit, UnicodeScripts, Sequence");
        }
    }

    /// <summary>Metaspace as tokenizers 0.23 reads it, older files' add_prefix_space and str_rep included.</summary>
    private MetaspacePreTokenizer ReadMetaspace(JsonElement element, string where)
    {
        CheckKeys(element, where, ["type", "replacement", "prepend_scheme", "split", "add_prefix_space", "str_rep"], "Metaspace");
        string replacement = SingleCharacter(element, "replacement", where).ToString();
        PrependScheme scheme = String(element, "prepend_scheme", where) switch
        {
            null or "always" => PrependScheme.Always,
            "first" => PrependScheme.First,
            "never" => PrependScheme.Never,
            string other => throw Invalid($"{where}.prepend_scheme is '{other}', not always, first or never"),
        };
        if (Bool(element, "add_prefix_space", where) == false)
        {
            if (scheme != PrependScheme.Never && element.TryGetProperty("prepend_scheme", out _))
                throw Invalid($"{where}.add_prefix_space is false but prepend_scheme is not never");
            scheme = PrependScheme.Never;
        }
        return new MetaspacePreTokenizer(replacement, scheme, Bool(element, "split", where) ?? true);
    }

    private IPostProcessor ReadPostProcessor(JsonElement element, string where)
    {
        string type = ComponentType(element, where);
        switch (type)
        {
            case "TemplateProcessing":
                CheckKeys(element, where, ["type", "single", "pair", "special_tokens"], type);
                return ReadTemplate(element, where);
            case "BertProcessing":
                CheckKeys(element, where, ["type", "sep", "cls"], type);
                return new BertPostProcessor(ReadTokenPair(element, "cls", where), ReadTokenPair(element, "sep", where));
            case "RobertaProcessing":
                CheckKeys(element, where, ["type", "sep", "cls", "trim_offsets", "add_prefix_space"], type);
                return new RobertaPostProcessor(ReadTokenPair(element, "cls", where), ReadTokenPair(element, "sep", where),
                    Bool(element, "trim_offsets", where) ?? true
                        ? new ByteLevelPostProcessor(true, Bool(element, "add_prefix_space", where) ?? true)
                        : null);
            case "ByteLevel":
                CheckKeys(element, where, ["type", "add_prefix_space", "trim_offsets", "use_regex"], type);
                return new ByteLevelPostProcessor(Bool(element, "trim_offsets", where) ?? true, Bool(element, "add_prefix_space", where) ?? true);
            case "Sequence":
                CheckKeys(element, where, ["type", "processors"], type);
                return new SequencePostProcessor(ReadArray(element, "processors", where, ReadPostProcessor));
            default:
                throw Unknown(where, "post-processor", type, "TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel, Sequence");
        }
    }

    /// <summary>["[SEP]", 102]: a token and its id (BertProcessing, RobertaProcessing).</summary>
    private int ReadTokenPair(JsonElement element, string name, string where)
    {
        if (!element.TryGetProperty(name, out JsonElement pair) || pair.ValueKind != JsonValueKind.Array || pair.GetArrayLength() != 2
            || pair[0].ValueKind != JsonValueKind.String || !pair[1].TryGetInt32(out int id) || id < 0)
            throw Invalid($"{where}.{name} is not [\"token\", id]");
        return id;
    }

    private TemplatePostProcessor ReadTemplate(JsonElement processor, string where)
    {
        JsonElement specialTokens = RequireObject(processor, "special_tokens", $"{where}.special_tokens");
        TemplatePiece[] single = ReadTemplatePieces(processor, "single", where, specialTokens);
        TemplatePiece[] pair = ReadTemplatePieces(processor, "pair", where, specialTokens);
        if (single.Count(piece => piece.IsSequence) != 1 || single.Any(piece => piece.Sequence == 1))
            throw Invalid($"{where}.single must hold the sequence $A exactly once, and not $B");
        if (pair.Count(piece => piece.Sequence == 0) != 1 || pair.Count(piece => piece.Sequence == 1) != 1)
            throw Invalid($"{where}.pair must hold the sequences $A and $B once each");
        return new TemplatePostProcessor(single, pair);
    }

    private TemplatePiece[] ReadTemplatePieces(JsonElement processor, string name, string parent, JsonElement specialTokens)
    {
        string path = $"{parent}.{name}";
        if (!processor.TryGetProperty(name, out JsonElement template) || template.ValueKind != JsonValueKind.Array)
            throw Invalid($"{path} is missing or not an array");
        var pieces = new List<TemplatePiece>();
        int index = 0;
        foreach (JsonElement piece in template.EnumerateArray())
        {
            string where = $"{path}[{index++}]";
            if (piece.ValueKind == JsonValueKind.Object && piece.TryGetProperty("Sequence", out JsonElement sequence)
                && sequence.ValueKind == JsonValueKind.Object)
            {
                CheckKeys(sequence, $"{where}.Sequence", ["id", "type_id"], "Sequence");
                int sequenceIndex = String(sequence, "id", $"{where}.Sequence") switch
                {
                    "A" => 0,
                    "B" => 1,
                    _ => throw Invalid($"{where}.Sequence.id is neither \"A\" nor \"B\""),
                };
                pieces.Add(TemplatePiece.Text(sequenceIndex, ReadTypeId(sequence, $"{where}.Sequence")));
            }
            else if (piece.ValueKind == JsonValueKind.Object && piece.TryGetProperty("SpecialToken", out JsonElement special)
                     && special.ValueKind == JsonValueKind.Object)
            {
                CheckKeys(special, $"{where}.SpecialToken", ["id", "type_id"], "SpecialToken");
                string tokenName = String(special, "id", $"{where}.SpecialToken") ?? throw Invalid($"{where}.SpecialToken.id is missing");
                pieces.Add(TemplatePiece.Special([.. ReadSpecialTokenIds(specialTokens, tokenName, parent)], ReadTypeId(special, $"{where}.SpecialToken")));
            }
            else
            {
                throw Invalid($"{where} is neither a Sequence nor a SpecialToken");
            }
        }
        return [.. pieces];
    }

    private int ReadTypeId(JsonElement piece, string where)
    {
        if (!piece.TryGetProperty("type_id", out JsonElement typeId) || typeId.ValueKind == JsonValueKind.Null)
            return 0;
        return typeId.ValueKind == JsonValueKind.Number && typeId.TryGetInt32(out int value) && value >= 0
            ? value
            : throw Invalid($"{where}.type_id is not a non-negative integer");
    }

    private List<int> ReadSpecialTokenIds(JsonElement specialTokens, string name, string parent)
    {
        string where = $"{parent}.special_tokens['{name}']";
        if (!specialTokens.TryGetProperty(name, out JsonElement token) || token.ValueKind != JsonValueKind.Object
            || !token.TryGetProperty("ids", out JsonElement ids) || ids.ValueKind != JsonValueKind.Array)
            throw Invalid($"{where} is missing or has no ids");
        var result = new List<int>();
        foreach (JsonElement id in ids.EnumerateArray())
        {
            if (id.ValueKind != JsonValueKind.Number || !id.TryGetInt32(out int value) || value < 0)
                throw Invalid($"{where}.ids holds something other than a non-negative integer");
            result.Add(value);
        }
        return result;
    }

    [GeneratedRegex(@"\[:\^?[A-Za-z]+:\]")]
    private static partial Regex PosixBracket();

    /// <summary>{"String": "..."} or {"Regex": "..."} (Replace, Split).</summary>
    private TextPattern ReadPattern(JsonElement element, string where)
    {
        JsonElement pattern = RequireObject(element, "pattern", $"{where}.pattern");
        CheckKeys(pattern, $"{where}.pattern", ["String", "Regex"], "pattern");
        if (String(pattern, "String", $"{where}.pattern") is { } literal)
            return TextPattern.Literal(literal);
        if (String(pattern, "Regex", $"{where}.pattern") is { } regex)
        {
            // .NET reads [[:alpha:]] as a class of '[', ':', 'a'... without a word: refused rather than misread.
            if (PosixBracket().Match(regex) is { Success: true } bracket)
                throw Invalid($"{where}.pattern.Regex holds a POSIX bracket expression ({bracket.Value}), which this tokenizer cannot read: " +
                    "write it with Unicode categories (\\p{L}, \\p{N}...)");
            try
            {
                // Multiline: ^ and $ match at every line, as in Oniguruma's Ruby syntax, which Hugging Face's regexes use.
                return TextPattern.FromRegex(regex, RegexOptions.CultureInvariant | RegexOptions.Compiled | RegexOptions.Multiline);
            }
            catch (ArgumentException e)
            {
                throw Invalid($"{where}.pattern.Regex is not a regex this tokenizer can read: {e.Message}");
            }
        }
        throw Invalid($"{where}.pattern has neither String nor Regex");
    }

    private SplitBehavior? ReadBehavior(JsonElement element, string where) => String(element, "behavior", where) switch
    {
        null => null,
        "Removed" => SplitBehavior.Removed,
        "Isolated" => SplitBehavior.Isolated,
        "MergedWithPrevious" => SplitBehavior.MergedWithPrevious,
        "MergedWithNext" => SplitBehavior.MergedWithNext,
        "Contiguous" => SplitBehavior.Contiguous,
        string other => throw Invalid($"{where}.behavior is '{other}', not Removed, Isolated, MergedWithPrevious, MergedWithNext or Contiguous"),
    };

    private Rune SingleCharacter(JsonElement element, string name, string where)
    {
        string value = RequireString(element, name, where);
        return Rune.TryGetRuneAt(value, 0, out Rune rune) && rune.Utf16SequenceLength == value.Length
            ? rune
            : throw Invalid($"{where}.{name} is not one character");
    }

    private List<T> ReadArray<T>(JsonElement element, string name, string where, Func<JsonElement, string, T> read)
    {
        if (!element.TryGetProperty(name, out JsonElement array) || array.ValueKind != JsonValueKind.Array)
            throw Invalid($"{where}.{name} is missing or not an array");
        var result = new List<T>();
        int index = 0;
        foreach (JsonElement item in array.EnumerateArray())
            result.Add(read(item, $"{where}.{name}[{index++}]"));
        return result;
    }

    /// <summary>Each id's token string: model.vocab as an object (token: id) or, for Unigram, an array of [token, score].</summary>
    private Dictionary<int, string> ReadTokenStrings(JsonElement model)
    {
        var strings = new Dictionary<int, string>();
        if (!model.TryGetProperty("vocab", out JsonElement vocab))
            return strings;
        if (vocab.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty entry in vocab.EnumerateObject())
            {
                if (entry.Value.TryGetInt32(out int id))
                    strings.TryAdd(id, entry.Name);
            }
        }
        else if (vocab.ValueKind == JsonValueKind.Array)
        {
            int id = 0;
            foreach (JsonElement entry in vocab.EnumerateArray())
            {
                if (entry.ValueKind == JsonValueKind.Array && entry.GetArrayLength() > 0 && entry[0].ValueKind == JsonValueKind.String)
                    strings[id] = entry[0].GetString()!;
                id++;
            }
        }
        return strings;
    }

    private List<AddedToken> ReadAddedTokens(JsonElement root, ITokenizationModel model, Dictionary<int, string> tokenStrings)
    {
        var tokens = new List<AddedToken>();
        if (!root.TryGetProperty("added_tokens", out JsonElement array) || array.ValueKind == JsonValueKind.Null)
            return tokens;
        if (array.ValueKind != JsonValueKind.Array)
            throw Invalid("added_tokens is not an array");
        var addedIds = new HashSet<int>();
        int index = 0;
        foreach (JsonElement entry in array.EnumerateArray())
        {
            string where = $"added_tokens[{index++}]";
            if (entry.ValueKind != JsonValueKind.Object)
                throw Invalid($"{where} is not an object");
            CheckKeys(entry, where, AddedTokenKeys, "added token");
            if (!entry.TryGetProperty("id", out JsonElement idElement) || idElement.ValueKind != JsonValueKind.Number
                || !idElement.TryGetInt32(out int id) || id < 0)
                throw Invalid($"{where}.id is missing or not a non-negative integer");
            string content = String(entry, "content", where) ?? throw Invalid($"{where}.content is missing");
            bool special = Bool(entry, "special", where) ?? false;
            bool inVocabulary = model.TryGetId(content, out int vocabularyId);
            if (inVocabulary ? vocabularyId != id : tokenStrings.TryGetValue(id, out string? other) && other != content)
                throw Invalid($"{where} ('{content}', id {id}) disagrees with model.vocab");
            if (!addedIds.Add(id))
                throw Invalid($"{where} repeats id {id}");
            tokens.Add(new AddedToken(
                id, content, special,
                SingleWord: Bool(entry, "single_word", where) ?? false,
                LeftStrip: Bool(entry, "lstrip", where) ?? false,
                RightStrip: Bool(entry, "rstrip", where) ?? false,
                Normalized: Bool(entry, "normalized", where) ?? !special));
        }
        return tokens;
    }

    /// <summary>
    /// The byte-level BPE definition when the file is today's ModernBERT kind, whose ids
    /// <see cref="ByteLevelBpeModel"/> gives at full speed; null for anything else.
    /// </summary>
    private ByteLevelBpeDefinition? ByteLevelBpeFastPath(JsonElement root, JsonElement model)
    {
        bool? nfc = root.TryGetProperty("normalizer", out JsonElement normalizer) && normalizer.ValueKind != JsonValueKind.Null
            ? normalizer.ValueKind == JsonValueKind.Object && normalizer.TryGetProperty("type", out JsonElement type) && type.ValueKind == JsonValueKind.String
                && type.GetString() == "NFC" ? true : null
            : false;
        if (nfc is null || !root.TryGetProperty("pre_tokenizer", out JsonElement preTokenizer) || preTokenizer.ValueKind != JsonValueKind.Object
            || !IsString(preTokenizer, "type", "ByteLevel") || !IsBool(preTokenizer, "use_regex", true, absent: true)
            || !IsBool(preTokenizer, "add_prefix_space", false, absent: false) || !IsString(model, "type", "BPE")
            || !IsBool(model, "byte_fallback", false, absent: true) || !IsBool(model, "ignore_merges", false, absent: true)
            || !IsEmpty(model, "continuing_subword_prefix") || !IsEmpty(model, "end_of_word_suffix")
            || !model.TryGetProperty("merges", out JsonElement merges) || merges.ValueKind != JsonValueKind.Array)
            return null;
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (JsonProperty entry in model.GetProperty("vocab").EnumerateObject())
            vocabulary.TryAdd(entry.Name, entry.Value.GetInt32());
        var mergeList = new List<string>(merges.GetArrayLength());
        foreach (JsonElement merge in merges.EnumerateArray())
            mergeList.Add(merge.ValueKind == JsonValueKind.String ? merge.GetString()! : $"{merge[0].GetString()} {merge[1].GetString()}");
        return new ByteLevelBpeDefinition(vocabulary, mergeList,
            model.TryGetProperty("unk_token", out JsonElement unk) && unk.ValueKind == JsonValueKind.String ? unk.GetString() : null,
            model.TryGetProperty("fuse_unk", out JsonElement fuse) && fuse.ValueKind == JsonValueKind.True, nfc.Value);

        static bool IsString(JsonElement element, string name, string value)
            => element.TryGetProperty(name, out JsonElement property) && property.ValueKind == JsonValueKind.String && property.GetString() == value;
        static bool IsBool(JsonElement element, string name, bool value, bool absent)
            => element.TryGetProperty(name, out JsonElement property) && property.ValueKind != JsonValueKind.Null
                ? property.ValueKind == (value ? JsonValueKind.True : JsonValueKind.False)
                : absent;
        static bool IsEmpty(JsonElement element, string name)
            => !element.TryGetProperty(name, out JsonElement property) || property.ValueKind == JsonValueKind.Null
               || property.ValueKind == JsonValueKind.String && property.GetString()!.Length == 0;
    }

    private string ComponentType(JsonElement element, string where)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw Invalid($"{where} is not a JSON object");
        return String(element, "type", where) ?? throw Invalid($"{where}.type is missing");
    }

    private void CheckKeys(JsonElement element, string where, string[] known, string component)
    {
        foreach (JsonProperty property in element.EnumerateObject())
        {
            if (Array.IndexOf(known, property.Name) < 0)
            {
                string path = where.Length == 0 ? property.Name : $"{where}.{property.Name}";
                throw Invalid($"{path} is not an option of {component} that this tokenizer knows ({string.Join(", ", known.Where(key => key != "type"))})");
            }
        }
    }

    private InvalidDataException Unknown(string where, string kind, string type, string known)
        => Invalid($"{where}.type is '{type}', a {kind} this tokenizer does not know ({known})");

    private JsonElement RequireObject(JsonElement parent, string name, string where)
        => parent.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Object
            ? value
            : throw Invalid($"{where} is missing or not an object");

    private string RequireString(JsonElement parent, string name, string where)
        => String(parent, name, where) ?? throw Invalid($"{where}.{name} is missing");

    private string? String(JsonElement parent, string name, string where)
    {
        if (!parent.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
            return null;
        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw Invalid($"{where}.{name} is not a string");
    }

    private bool? Bool(JsonElement parent, string name, string where)
    {
        if (!parent.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
            return null;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Invalid($"{where}.{name} is not true or false"),
        };
    }

    private InvalidDataException Invalid(string problem) => new($"{_path}: {problem}.");
}
