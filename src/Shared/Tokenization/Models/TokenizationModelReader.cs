using System.Text.Json;

namespace ModernBert.Tokenization.Models;

/// <summary>
/// Reads tokenizer.json's "model" object of any type Hugging Face <c>tokenizers</c> writes: BPE, WordPiece, WordLevel
/// or Unigram, with the options each type's deserializer reads (tokenizers/src/models/*/serialization.rs).
/// An unknown type or option, or an option this product does not support (BPE dropout), is refused.
/// </summary>
internal static class TokenizationModelReader
{
    private static readonly string[] BpeKeys =
        ["type", "dropout", "unk_token", "continuing_subword_prefix", "end_of_word_suffix", "fuse_unk", "byte_fallback", "ignore_merges", "vocab", "merges"];
    private static readonly string[] WordPieceKeys = ["type", "unk_token", "continuing_subword_prefix", "max_input_chars_per_word", "vocab"];
    private static readonly string[] WordLevelKeys = ["type", "unk_token", "vocab"];
    private static readonly string[] UnigramKeys = ["type", "unk_id", "byte_fallback", "vocab"];

    /// <summary>The model described by <paramref name="model"/>.</summary>
    /// <exception cref="InvalidDataException">"{filePath}: model.&lt;option&gt; ..." naming the unknown or invalid type or option and the file.</exception>
    public static ITokenizationModel Read(JsonElement model, string filePath)
    {
        var json = new ModelJson(filePath);
        if (model.ValueKind != JsonValueKind.Object)
            throw json.Invalid("model is not a JSON object");
        string type = json.String(model, "type") ?? throw json.Invalid("model.type is missing");
        try
        {
            return type switch
            {
                "BPE" => ReadBpe(model, json),
                "WordPiece" => ReadWordPiece(model, json),
                "WordLevel" => ReadWordLevel(model, json),
                "Unigram" => ReadUnigram(model, json),
                _ => throw json.Invalid($"model.type '{type}' is not a model type this tokenizer knows (BPE, WordPiece, WordLevel, Unigram)"),
            };
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(filePath, StringComparison.Ordinal))
        {
            throw json.Invalid(e.Message.TrimEnd('.'));
        }
    }

    private static BpeModel ReadBpe(JsonElement model, ModelJson json)
    {
        json.CheckKeys(model, BpeKeys, "BPE");
        if (model.TryGetProperty("dropout", out JsonElement dropout) && dropout.ValueKind != JsonValueKind.Null
            && !(dropout.ValueKind == JsonValueKind.Number && dropout.GetDouble() == 0))
            throw json.Invalid("model.dropout is set; BPE dropout samples merges at random, and batch inference must be deterministic");
        var options = new BpeOptions(
            UnknownToken: json.String(model, "unk_token"),
            ContinuingSubwordPrefix: json.String(model, "continuing_subword_prefix"),
            EndOfWordSuffix: json.String(model, "end_of_word_suffix"),
            FuseUnknown: json.Bool(model, "fuse_unk") ?? false,
            ByteFallback: json.Bool(model, "byte_fallback") ?? false,
            IgnoreMerges: json.Bool(model, "ignore_merges") ?? false);
        return new BpeModel(json.Vocabulary(model), ReadMerges(model, json), options);
    }

    /// <summary>Merges from either the legacy "left right" form or the ["left", "right"] form.</summary>
    private static List<(string Left, string Right)> ReadMerges(JsonElement model, ModelJson json)
    {
        if (!model.TryGetProperty("merges", out JsonElement merges) || merges.ValueKind != JsonValueKind.Array)
            throw json.Invalid("model.merges is missing or not an array");
        var result = new List<(string, string)>(merges.GetArrayLength());
        int index = 0;
        foreach (JsonElement merge in merges.EnumerateArray())
        {
            string where = $"model.merges[{index++}]";
            if (merge.ValueKind == JsonValueKind.String)
            {
                string text = merge.GetString()!;
                if (text.StartsWith("#version", StringComparison.Ordinal))
                    continue;
                string[] parts = text.Split(' ');
                if (parts.Length != 2)
                    throw json.Invalid($"{where} is '{text}', not two tokens separated by one space");
                result.Add((parts[0], parts[1]));
            }
            else if (merge.ValueKind == JsonValueKind.Array && merge.GetArrayLength() == 2
                     && merge[0].ValueKind == JsonValueKind.String && merge[1].ValueKind == JsonValueKind.String)
            {
                result.Add((merge[0].GetString()!, merge[1].GetString()!));
            }
            else
            {
                throw json.Invalid($"{where} is neither \"left right\" nor [\"left\", \"right\"]");
            }
        }
        return result;
    }

    private static WordPieceModel ReadWordPiece(JsonElement model, ModelJson json)
    {
        json.CheckKeys(model, WordPieceKeys, "WordPiece");
        int maxChars = 100;
        if (model.TryGetProperty("max_input_chars_per_word", out JsonElement max) && max.ValueKind != JsonValueKind.Null
            && (max.ValueKind != JsonValueKind.Number || !max.TryGetInt32(out maxChars) || maxChars < 0))
            throw json.Invalid("model.max_input_chars_per_word is not a non-negative integer");
        return new WordPieceModel(
            json.Vocabulary(model),
            json.String(model, "unk_token") ?? "[UNK]",
            json.String(model, "continuing_subword_prefix") ?? "##",
            maxChars);
    }

    private static WordLevelModel ReadWordLevel(JsonElement model, ModelJson json)
    {
        json.CheckKeys(model, WordLevelKeys, "WordLevel");
        return new WordLevelModel(json.Vocabulary(model), json.String(model, "unk_token") ?? "<unk>");
    }

    private static UnigramModel ReadUnigram(JsonElement model, ModelJson json)
    {
        json.CheckKeys(model, UnigramKeys, "Unigram");
        if (!model.TryGetProperty("vocab", out JsonElement vocab) || vocab.ValueKind != JsonValueKind.Array)
            throw json.Invalid("model.vocab is missing or not an array");
        var pieces = new List<(string Token, double Score)>(vocab.GetArrayLength());
        int index = 0;
        foreach (JsonElement entry in vocab.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Array || entry.GetArrayLength() != 2
                || entry[0].ValueKind != JsonValueKind.String || entry[1].ValueKind != JsonValueKind.Number)
                throw json.Invalid($"model.vocab[{index}] is not a [\"token\", score] pair");
            pieces.Add((entry[0].GetString()!, entry[1].GetDouble()));
            index++;
        }
        int? unknownId = null;
        if (model.TryGetProperty("unk_id", out JsonElement unk) && unk.ValueKind != JsonValueKind.Null)
        {
            if (unk.ValueKind != JsonValueKind.Number || !unk.TryGetInt32(out int id) || id < 0)
                throw json.Invalid("model.unk_id is not a non-negative integer");
            if (id >= pieces.Count)
                throw json.Invalid($"model.unk_id {id} is not an index of model.vocab ({pieces.Count} entries)");
            unknownId = id;
        }
        return new UnigramModel(pieces, unknownId, json.Bool(model, "byte_fallback") ?? false);
    }

    /// <summary>Typed access to the model object's members, with errors naming the file and the member's path.</summary>
    private readonly struct ModelJson(string filePath)
    {
        public InvalidDataException Invalid(string problem) => new($"{filePath}: {problem}.");

        public void CheckKeys(JsonElement model, string[] known, string type)
        {
            foreach (JsonProperty property in model.EnumerateObject())
            {
                if (Array.IndexOf(known, property.Name) < 0)
                    throw Invalid($"model.{property.Name} is not an option of the {type} model this tokenizer knows ({string.Join(", ", known[1..])})");
            }
        }

        public string? String(JsonElement model, string name)
        {
            if (!model.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
                return null;
            return value.ValueKind == JsonValueKind.String ? value.GetString() : throw Invalid($"model.{name} is not a string");
        }

        public bool? Bool(JsonElement model, string name)
        {
            if (!model.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
                return null;
            return value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw Invalid($"model.{name} is not true or false"),
            };
        }

        /// <summary>model.vocab as a token-to-id object (BPE, WordPiece, WordLevel).</summary>
        public Dictionary<string, int> Vocabulary(JsonElement model)
        {
            if (!model.TryGetProperty("vocab", out JsonElement vocab) || vocab.ValueKind != JsonValueKind.Object)
                throw Invalid("model.vocab is missing or not an object");
            var vocabulary = new Dictionary<string, int>(vocab.GetPropertyCount(), StringComparer.Ordinal);
            foreach (JsonProperty entry in vocab.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out int id) || id < 0)
                    throw Invalid($"model.vocab['{entry.Name}'] is not a non-negative integer id");
                if (!vocabulary.TryAdd(entry.Name, id))
                    throw Invalid($"model.vocab has '{entry.Name}' twice");
            }
            return vocabulary;
        }
    }
}
