using System.Text.Json;

namespace ModernBert.Tokenization;

/// <summary>
/// Reads a Hugging Face tokenizer.json of the kind ModernBERT checkpoints ship: a byte-level BPE model, an NFC
/// normalizer (or none), the ByteLevel pre-tokenizer and a TemplateProcessing post-processor. Anything else is
/// refused with an <see cref="InvalidDataException"/> that names the file and the part it cannot handle.
/// Truncation and padding settings are ignored: callers window long documents themselves.
/// </summary>
internal sealed class TokenizerJsonReader
{
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
        JsonElement model = RequireObject(root, "model", "model");
        string modelType = OptionalString(model, "type", "model.type") ?? "(none)";
        if (modelType != "BPE")
            throw Invalid($"model.type is '{modelType}'; only byte-level BPE tokenizers (model.type \"BPE\") are supported");
        CheckModelOptions(model);
        CheckPreTokenizer(root);
        bool nfc = ReadNormalizer(root);

        Dictionary<string, int> vocabulary = ReadVocabulary(model);
        List<string> merges = ReadMerges(model);
        List<AddedToken> addedTokens = ReadAddedTokens(root, vocabulary);
        IPostProcessor postProcessor = ReadTemplate(root);
        return new TokenizerDefinition(
            vocabulary, merges,
            OptionalString(model, "unk_token", "model.unk_token"),
            OptionalBool(model, "fuse_unk", "model.fuse_unk") ?? false,
            addedTokens, nfc, postProcessor);
    }

    private void CheckModelOptions(JsonElement model)
    {
        if (model.TryGetProperty("dropout", out JsonElement dropout) && dropout.ValueKind != JsonValueKind.Null)
            throw Invalid("model.dropout is set; BPE dropout is not supported");
        if (!string.IsNullOrEmpty(OptionalString(model, "continuing_subword_prefix", "model.continuing_subword_prefix")))
            throw Invalid("model.continuing_subword_prefix is set; only byte-level BPE without subword prefixes is supported");
        if (!string.IsNullOrEmpty(OptionalString(model, "end_of_word_suffix", "model.end_of_word_suffix")))
            throw Invalid("model.end_of_word_suffix is set; only byte-level BPE without word suffixes is supported");
        if (OptionalBool(model, "byte_fallback", "model.byte_fallback") == true)
            throw Invalid("model.byte_fallback is true; only byte-level BPE (no byte fallback) is supported");
        if (OptionalBool(model, "ignore_merges", "model.ignore_merges") == true)
            throw Invalid("model.ignore_merges is true; it is not supported");
    }

    private void CheckPreTokenizer(JsonElement root)
    {
        const string Supported = "only the ByteLevel pre-tokenizer with use_regex = true and add_prefix_space = false is supported";
        if (!root.TryGetProperty("pre_tokenizer", out JsonElement preTokenizer) || preTokenizer.ValueKind != JsonValueKind.Object)
            throw Invalid($"pre_tokenizer is missing; {Supported}");
        string type = OptionalString(preTokenizer, "type", "pre_tokenizer.type") ?? "(none)";
        if (type != "ByteLevel")
            throw Invalid($"pre_tokenizer.type is '{type}'; {Supported}");
        if (OptionalBool(preTokenizer, "use_regex", "pre_tokenizer.use_regex") == false)
            throw Invalid($"pre_tokenizer.use_regex is false; {Supported}");
        if (OptionalBool(preTokenizer, "add_prefix_space", "pre_tokenizer.add_prefix_space") == true)
            throw Invalid($"pre_tokenizer.add_prefix_space is true; {Supported}");
    }

    /// <summary>True for an NFC normalizer, false for none.</summary>
    private bool ReadNormalizer(JsonElement root)
    {
        if (!root.TryGetProperty("normalizer", out JsonElement normalizer) || normalizer.ValueKind == JsonValueKind.Null)
            return false;
        string type = normalizer.ValueKind == JsonValueKind.Object
            ? OptionalString(normalizer, "type", "normalizer.type") ?? "(none)"
            : normalizer.ValueKind.ToString();
        return type == "NFC" ? true : throw Invalid($"normalizer.type is '{type}'; only NFC or no normalizer is supported");
    }

    private Dictionary<string, int> ReadVocabulary(JsonElement model)
    {
        JsonElement vocab = RequireObject(model, "vocab", "model.vocab");
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (JsonProperty entry in vocab.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out int id) || id < 0)
                throw Invalid($"model.vocab['{entry.Name}'] is not a non-negative integer id");
            if (!vocabulary.TryAdd(entry.Name, id))
                throw Invalid($"model.vocab has '{entry.Name}' twice");
        }
        if (vocabulary.Count == 0)
            throw Invalid("model.vocab is empty");
        return vocabulary;
    }

    /// <summary>Merges as "left right", from either the legacy string form or the [left, right] pair form.</summary>
    private List<string> ReadMerges(JsonElement model)
    {
        if (!model.TryGetProperty("merges", out JsonElement merges) || merges.ValueKind != JsonValueKind.Array)
            throw Invalid("model.merges is missing or not an array");
        var result = new List<string>(merges.GetArrayLength());
        int index = 0;
        foreach (JsonElement merge in merges.EnumerateArray())
        {
            string where = $"model.merges[{index++}]";
            if (merge.ValueKind == JsonValueKind.String)
            {
                string text = merge.GetString()!;
                int space = text.IndexOf(' ', StringComparison.Ordinal);
                if (space <= 0 || space == text.Length - 1 || text.IndexOf(' ', space + 1) >= 0)
                    throw Invalid($"{where} is '{text}', not two tokens separated by one space");
                result.Add(text);
            }
            else if (merge.ValueKind == JsonValueKind.Array && merge.GetArrayLength() == 2
                     && merge[0].ValueKind == JsonValueKind.String && merge[1].ValueKind == JsonValueKind.String)
            {
                string left = merge[0].GetString()!;
                string right = merge[1].GetString()!;
                if (left.Length == 0 || right.Length == 0 || left.Contains(' ', StringComparison.Ordinal) || right.Contains(' ', StringComparison.Ordinal))
                    throw Invalid($"{where} has an empty token or a token with a space, which byte-level BPE never has");
                result.Add($"{left} {right}");
            }
            else
            {
                throw Invalid($"{where} is neither \"left right\" nor [\"left\", \"right\"]");
            }
        }
        return result;
    }

    private List<AddedToken> ReadAddedTokens(JsonElement root, Dictionary<string, int> vocabulary)
    {
        var tokens = new List<AddedToken>();
        if (!root.TryGetProperty("added_tokens", out JsonElement array) || array.ValueKind == JsonValueKind.Null)
            return tokens;
        if (array.ValueKind != JsonValueKind.Array)
            throw Invalid("added_tokens is not an array");
        var vocabularyIds = new HashSet<int>(vocabulary.Values);
        var addedIds = new HashSet<int>();
        int index = 0;
        foreach (JsonElement entry in array.EnumerateArray())
        {
            string where = $"added_tokens[{index++}]";
            if (entry.ValueKind != JsonValueKind.Object)
                throw Invalid($"{where} is not an object");
            if (!entry.TryGetProperty("id", out JsonElement idElement) || idElement.ValueKind != JsonValueKind.Number
                || !idElement.TryGetInt32(out int id) || id < 0)
                throw Invalid($"{where}.id is missing or not a non-negative integer");
            string content = OptionalString(entry, "content", $"{where}.content")
                             ?? throw Invalid($"{where}.content is missing");
            bool special = OptionalBool(entry, "special", $"{where}.special") ?? false;
            if (vocabulary.TryGetValue(content, out int vocabularyId) ? vocabularyId != id : vocabularyIds.Contains(id))
                throw Invalid($"{where} ('{content}', id {id}) disagrees with model.vocab");
            if (!addedIds.Add(id))
                throw Invalid($"{where} repeats id {id}");
            tokens.Add(new AddedToken(
                id, content, special,
                SingleWord: OptionalBool(entry, "single_word", $"{where}.single_word") ?? false,
                LeftStrip: OptionalBool(entry, "lstrip", $"{where}.lstrip") ?? false,
                RightStrip: OptionalBool(entry, "rstrip", $"{where}.rstrip") ?? false,
                Normalized: OptionalBool(entry, "normalized", $"{where}.normalized") ?? !special));
        }
        return tokens;
    }

    /// <summary>post_processor (TemplateProcessing): its single and pair templates.</summary>
    private TemplatePostProcessor ReadTemplate(JsonElement root)
    {
        const string Supported = "a TemplateProcessing post_processor (such as \"[CLS] $A [SEP]\") is required";
        if (!root.TryGetProperty("post_processor", out JsonElement processor) || processor.ValueKind != JsonValueKind.Object)
            throw Invalid($"post_processor is missing; {Supported}");
        string type = OptionalString(processor, "type", "post_processor.type") ?? "(none)";
        if (type != "TemplateProcessing")
            throw Invalid($"post_processor.type is '{type}'; {Supported}");
        JsonElement specialTokens = RequireObject(processor, "special_tokens", "post_processor.special_tokens");
        TemplatePiece[] single = ReadTemplatePieces(processor, "single", specialTokens);
        TemplatePiece[] pair = ReadTemplatePieces(processor, "pair", specialTokens);
        if (single.Count(piece => piece.IsSequence) != 1 || single.Any(piece => piece.Sequence == 1))
            throw Invalid("post_processor.single must hold the sequence $A exactly once, and not $B");
        if (pair.Count(piece => piece.Sequence == 0) != 1 || pair.Count(piece => piece.Sequence == 1) != 1)
            throw Invalid("post_processor.pair must hold the sequences $A and $B once each");
        return new TemplatePostProcessor(single, pair);
    }

    private TemplatePiece[] ReadTemplatePieces(JsonElement processor, string name, JsonElement specialTokens)
    {
        string path = $"post_processor.{name}";
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
                int sequenceIndex = OptionalString(sequence, "id", $"{where}.Sequence.id") switch
                {
                    "A" => 0,
                    "B" => 1,
                    _ => throw Invalid($"{where}.Sequence.id is neither \"A\" nor \"B\""),
                };
                pieces.Add(TemplatePiece.Text(sequenceIndex, ReadTypeId(sequence, $"{where}.Sequence.type_id")));
            }
            else if (piece.ValueKind == JsonValueKind.Object && piece.TryGetProperty("SpecialToken", out JsonElement special)
                     && special.ValueKind == JsonValueKind.Object)
            {
                string tokenName = OptionalString(special, "id", $"{where}.SpecialToken.id") ?? throw Invalid($"{where}.SpecialToken.id is missing");
                pieces.Add(TemplatePiece.Special([.. ReadSpecialTokenIds(specialTokens, tokenName)], ReadTypeId(special, $"{where}.SpecialToken.type_id")));
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
            : throw Invalid($"{where} is not a non-negative integer");
    }

    private IEnumerable<int> ReadSpecialTokenIds(JsonElement specialTokens, string name)
    {
        string where = $"post_processor.special_tokens['{name}']";
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

    private JsonElement RequireObject(JsonElement parent, string name, string where)
        => parent.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Object
            ? value
            : throw Invalid($"{where} is missing or not an object");

    private string? OptionalString(JsonElement parent, string name, string where)
    {
        if (!parent.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
            return null;
        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw Invalid($"{where} is not a string");
    }

    private bool? OptionalBool(JsonElement parent, string name, string where)
    {
        if (!parent.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
            return null;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Invalid($"{where} is not true or false"),
        };
    }

    private InvalidDataException Invalid(string problem) => new($"{_path}: {problem}.");
}
