using ModernBert.Tests.Common;
using System.Text.Json.Nodes;

namespace ModernBert.Tests.Tokenization;

/// <summary>
/// A small byte-level BPE tokenizer.json written by tests: the 256 byte-level symbols (id = byte value), merges
/// up to "hello", "Ġw" and "ĠĠ", a raw "  " added token (as OLMo has) and ModernBERT's special tokens. Tests change the JSON to make it invalid.
/// </summary>
internal static class TinyTokenizer
{
    public const int Hello = 259;
    public const int SpaceW = 260;
    public const int Cls = 261;
    public const int Sep = 262;
    public const int Pad = 263;
    public const int Mask = 264;
    public const int DoubleSpace = 265;

    /// <summary>The id of a byte-level symbol for an ASCII character (its byte value).</summary>
    public static int Byte(char c) => c;

    public static JsonObject Json()
    {
        char[] symbols = ByteLevelSymbols();
        var vocab = new JsonObject();
        for (int b = 0; b < 256; b++)
            vocab[symbols[b].ToString()] = b;
        vocab["he"] = 256;
        vocab["ll"] = 257;
        vocab["hell"] = 258;
        vocab["hello"] = Hello;
        vocab["Ġw"] = SpaceW;
        vocab["  "] = DoubleSpace; // raw, like OLMo's whitespace tokens: matched as an added token, never by BPE
        vocab[new string(symbols[' '], 2)] = 266;

        return new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new JsonArray(
                AddedToken(Cls, "[CLS]", special: true),
                AddedToken(Sep, "[SEP]", special: true),
                AddedToken(Pad, "[PAD]", special: true),
                AddedToken(Mask, "[MASK]", special: true, lstrip: true),
                AddedToken(DoubleSpace, "  ", special: false)),
            ["normalizer"] = new JsonObject { ["type"] = "NFC" },
            ["pre_tokenizer"] = new JsonObject
            {
                ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = true,
            },
            ["post_processor"] = new JsonObject
            {
                ["type"] = "TemplateProcessing",
                ["single"] = new JsonArray(
                    new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = "[CLS]", ["type_id"] = 0 } },
                    new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } },
                    new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = "[SEP]", ["type_id"] = 0 } }),
                ["pair"] = new JsonArray(
                    new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = "[CLS]", ["type_id"] = 0 } },
                    new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } },
                    new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = "[SEP]", ["type_id"] = 0 } },
                    new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "B", ["type_id"] = 1 } },
                    new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = "[SEP]", ["type_id"] = 1 } }),
                ["special_tokens"] = new JsonObject
                {
                    ["[CLS]"] = new JsonObject { ["id"] = "[CLS]", ["ids"] = new JsonArray(Cls), ["tokens"] = new JsonArray("[CLS]") },
                    ["[SEP]"] = new JsonObject { ["id"] = "[SEP]", ["ids"] = new JsonArray(Sep), ["tokens"] = new JsonArray("[SEP]") },
                },
            },
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel" },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["dropout"] = null,
                ["unk_token"] = null,
                ["continuing_subword_prefix"] = null,
                ["end_of_word_suffix"] = null,
                ["fuse_unk"] = false,
                ["byte_fallback"] = false,
                ["vocab"] = vocab,
                ["merges"] = new JsonArray("h e", "l l", "he ll", "hell o", "Ġ w", "Ġ Ġ"),
            },
        };
    }

    /// <summary>Writes tokenizer.json (and tokenizer_config.json when given) into a new temporary folder.</summary>
    public static TemporaryFolder Write(JsonNode tokenizerJson, JsonNode? tokenizerConfig = null)
    {
        var folder = new TemporaryFolder();
        File.WriteAllText(Path.Combine(folder.Path, "tokenizer.json"), tokenizerJson.ToJsonString());
        if (tokenizerConfig is not null)
            File.WriteAllText(Path.Combine(folder.Path, "tokenizer_config.json"), tokenizerConfig.ToJsonString());
        return folder;
    }

    private static JsonObject AddedToken(int id, string content, bool special, bool lstrip = false) => new()
    {
        ["id"] = id, ["content"] = content, ["single_word"] = false, ["lstrip"] = lstrip, ["rstrip"] = false,
        ["normalized"] = !special, ["special"] = special,
    };

    /// <summary>GPT-2's byte-to-unicode table: printable bytes stay, the others map to U+0100 onwards in order.</summary>
    internal static char[] ByteLevelSymbols()
    {
        var symbols = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            symbols[b] = printable ? (char)b : (char)next++;
        }
        return symbols;
    }
}
