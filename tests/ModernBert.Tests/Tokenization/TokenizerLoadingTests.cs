using ModernBert.Tests.Common;
using System.Text.Json.Nodes;
using ModernBert.Tokenization;

namespace ModernBert.Tests.Tokenization;

/// <summary>Loading tokenizer files written by the tests, valid and invalid (no reference fixtures needed).</summary>
public class TokenizerLoadingTests
{
    [Fact]
    public void Encode_AppliesMergesAddedTokensAndTheTemplate()
    {
        using TemporaryFolder folder = TinyTokenizer.Write(TinyTokenizer.Json());
        ModernBertTokenizer tokenizer = ModernBertTokenizer.Load(folder.Path);

        Assert.Equal(
            [TinyTokenizer.Cls, TinyTokenizer.Hello, TinyTokenizer.SpaceW, TinyTokenizer.Byte('o'), TinyTokenizer.Byte('r'),
             TinyTokenizer.Byte('l'), TinyTokenizer.Byte('d'), TinyTokenizer.Sep],
            tokenizer.Encode("hello world"));
        Assert.Equal(
            [TinyTokenizer.Cls, TinyTokenizer.Hello, TinyTokenizer.DoubleSpace, TinyTokenizer.Byte('w'), TinyTokenizer.Byte('o'),
             TinyTokenizer.Byte('r'), TinyTokenizer.Byte('l'), TinyTokenizer.Byte('d'), TinyTokenizer.Mask, TinyTokenizer.Sep],
            tokenizer.Encode("hello  world \t[MASK]"));
        Assert.Equal([TinyTokenizer.Cls, TinyTokenizer.Sep], tokenizer.Encode(""));
        Assert.Equal([TinyTokenizer.Hello], tokenizer.EncodeWithoutSpecialTokens("hello"));
    }

    [Fact]
    public void Load_TakesAddedTokensThatTheNormalizerMakesEqual_AndMatchesTheFirstForBoth()
    {
        JsonObject json = TinyTokenizer.Json();
        json["normalizer"] = new JsonObject { ["type"] = "Lowercase" };
        json["model"]!["vocab"]!["Zorblax"] = 267;
        json["model"]!["vocab"]!["zorblax"] = 268;
        foreach ((int id, string content) in new[] { (267, "Zorblax"), (268, "zorblax") })
        {
            json["added_tokens"]!.AsArray().Add(new JsonObject
            {
                ["id"] = id, ["content"] = content, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false,
                ["normalized"] = true, ["special"] = false,
            });
        }
        using TemporaryFolder folder = TinyTokenizer.Write(json);

        ModernBertTokenizer tokenizer = ModernBertTokenizer.Load(folder.Path);

        Assert.Equal([267, 267, 267], tokenizer.EncodeWithoutSpecialTokens("ZORBLAXzorblaxZorblax"));
    }

    [Fact]
    public void Load_ReadsSpecialTokensAndVocabularySize()
    {
        using TemporaryFolder folder = TinyTokenizer.Write(TinyTokenizer.Json());
        ModernBertTokenizer tokenizer = ModernBertTokenizer.Load(folder.Path);

        Assert.Equal(TinyTokenizer.Cls, tokenizer.ClsTokenId);
        Assert.Equal(TinyTokenizer.Sep, tokenizer.SepTokenId);
        Assert.Equal(267, tokenizer.VocabularySize);
        Assert.Equal(267, tokenizer.ModelVocabularySize);
    }

    [Fact]
    public void Load_ForAModel_TakesItsVocabSize_AndRefusesATokenizerWithIdsTheModelLacks()
    {
        using TemporaryFolder folder = TinyTokenizer.Write(TinyTokenizer.Json());

        ModernBertTokenizer padded = ModernBertTokenizer.Load(folder.Path, 320);

        Assert.Equal((267, 320), (padded.VocabularySize, padded.ModelVocabularySize));
        Assert.Equal(267, ModernBertTokenizer.Load(folder.Path, 267).ModelVocabularySize);
        var error = Assert.Throws<InvalidDataException>(() => ModernBertTokenizer.Load(folder.Path, 266));
        Assert.Equal($"{Path.Combine(folder.Path, "tokenizer.json")}: the tokenizer has ids up to 266, but the model's vocab_size is 266 " +
            "(config.json): the model has no embedding for ids 266 and above.", error.Message);
    }

    [Fact]
    public void Load_TakesSpecialTokenNamesFromTokenizerConfig()
    {
        var config = new JsonObject
        {
            ["cls_token"] = "[SEP]",
            ["sep_token"] = new JsonObject { ["__type"] = "AddedToken", ["content"] = "[CLS]" },
        };
        using TemporaryFolder folder = TinyTokenizer.Write(TinyTokenizer.Json(), config);
        ModernBertTokenizer tokenizer = ModernBertTokenizer.Load(folder.Path);

        Assert.Equal(TinyTokenizer.Sep, tokenizer.ClsTokenId);
        Assert.Equal(TinyTokenizer.Cls, tokenizer.SepTokenId);
    }

    [Fact]
    public void Load_WithoutNamesInTokenizerConfig_TakesTheTokensTheTemplatePutsAroundAText()
    {
        JsonObject json = TinyTokenizer.Json();
        json["post_processor"]!["single"] = new JsonArray(
            new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = "[MASK]", ["type_id"] = 0 } },
            new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } },
            new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = "[PAD]", ["type_id"] = 0 } });
        json["post_processor"]!["special_tokens"]!["[MASK]"] = new JsonObject
        {
            ["id"] = "[MASK]", ["ids"] = new JsonArray(TinyTokenizer.Mask), ["tokens"] = new JsonArray("[MASK]"),
        };
        json["post_processor"]!["special_tokens"]!["[PAD]"] = new JsonObject
        {
            ["id"] = "[PAD]", ["ids"] = new JsonArray(TinyTokenizer.Pad), ["tokens"] = new JsonArray("[PAD]"),
        };
        using TemporaryFolder folder = TinyTokenizer.Write(json, new JsonObject { ["model_max_length"] = 8192 });
        ModernBertTokenizer tokenizer = ModernBertTokenizer.Load(folder.Path);

        Assert.Equal((TinyTokenizer.Mask, TinyTokenizer.Pad), (tokenizer.ClsTokenId, tokenizer.SepTokenId));
        Assert.Equal([TinyTokenizer.Mask, TinyTokenizer.Hello, TinyTokenizer.Pad], tokenizer.Encode("hello"));
    }

    [Fact]
    public void Load_WithoutNamesTemplateOrDefaultTokens_FailsNamingWhatIsMissing()
    {
        JsonObject json = TinyTokenizer.Json();
        json["post_processor"] = null;
        json["added_tokens"]![0]!["content"] = "<s>";
        using TemporaryFolder folder = TinyTokenizer.Write(json);

        var error = Assert.Throws<InvalidDataException>(() => ModernBertTokenizer.Load(folder.Path));
        Assert.Equal($"{Path.Combine(folder.Path, "tokenizer.json")}: no cls_token in tokenizer_config.json, no single special token on " +
            "that side of the post-processor's template, and the default '[CLS]' is neither an added token nor in model.vocab.", error.Message);
    }

    [Fact]
    public void Load_AcceptsMergesAsPairs()
    {
        JsonObject json = TinyTokenizer.Json();
        json["model"]!["merges"] = new JsonArray(
            new JsonArray("h", "e"), new JsonArray("l", "l"), new JsonArray("he", "ll"), new JsonArray("hell", "o"),
            new JsonArray("Ġ", "w"), new JsonArray("Ġ", "Ġ"));
        using TemporaryFolder folder = TinyTokenizer.Write(json);

        Assert.Equal([TinyTokenizer.Hello, TinyTokenizer.SpaceW], ModernBertTokenizer.Load(folder.Path).EncodeWithoutSpecialTokens("hello w"));
    }

    [Fact]
    public void Load_MissingFolder_Fails()
    {
        string missing = Path.Combine(Path.GetTempPath(), "modernbert-no-such-folder-" + Guid.NewGuid().ToString("N"));

        var error = Assert.Throws<DirectoryNotFoundException>(() => ModernBertTokenizer.Load(missing));
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FolderWithoutTokenizerJson_Fails()
    {
        using var folder = new TemporaryFolder();

        var error = Assert.Throws<FileNotFoundException>(() => ModernBertTokenizer.Load(folder.Path));
        Assert.Contains(Path.Combine(folder.Path, "tokenizer.json"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TokenizerJsonThatIsNotJson_Fails()
    {
        using var folder = new TemporaryFolder();
        File.WriteAllText(Path.Combine(folder.Path, "tokenizer.json"), "{ \"model\": ");

        var error = Assert.Throws<InvalidDataException>(() => ModernBertTokenizer.Load(folder.Path));
        Assert.Contains(Path.Combine(folder.Path, "tokenizer.json") + " is not valid JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TokenizerConfigThatIsNotJson_Fails()
    {
        using TemporaryFolder folder = TinyTokenizer.Write(TinyTokenizer.Json());
        File.WriteAllText(Path.Combine(folder.Path, "tokenizer_config.json"), "not json");

        var error = Assert.Throws<InvalidDataException>(() => ModernBertTokenizer.Load(folder.Path));
        Assert.Contains("tokenizer_config.json is not valid JSON", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> UnsupportedOrInvalidFiles() => new()
    {
        { "unknown model", "model.type 'Foo' is not a model type" },
        { "unknown pre-tokenizer", "pre_tokenizer.type is 'FixedLength', a pre-tokenizer this tokenizer does not know" },
        { "unknown pre-tokenizer option", "pre_tokenizer.split is not an option of ByteLevel" },
        { "unknown normalizer in a sequence", "normalizer.normalizers[1].type is 'Nmt', a normalizer this tokenizer does not know" },
        { "unknown normalizer option", "normalizer.normalizers[0].strip_both is not an option of Strip" },
        { "unknown model option", "model.foo is not an option of the BPE model" },
        { "dropout", "model.dropout is set" },
        { "unknown post-processor", "post_processor.type is 'Foo', a post-processor this tokenizer does not know" },
        { "unknown template option", "post_processor.single[0].SpecialToken.typeid is not an option of SpecialToken" },
        { "unknown root key", "tokenizers is not an option of tokenizer.json" },
        { "template without $A", "post_processor.single must hold the sequence $A exactly once" },
        { "unknown template token", "post_processor.special_tokens['[BOS]'] is missing" },
        { "malformed merge", "model.merges[0] is 'h e x'" },
        { "merge of unknown tokens", "model.merges[6]: 'xq' is not in model.vocab" },
        { "added token id clash", "added_tokens[0] ('[CLS]', id 104) disagrees with model.vocab" },
        { "unknown cls token", "the special token '<cls>' is neither an added token nor in model.vocab" },
        { "posix bracket", "pre_tokenizer.pattern.Regex holds a POSIX bracket expression ([:alpha:]), which this tokenizer cannot read" },
    };

    [Theory]
    [MemberData(nameof(UnsupportedOrInvalidFiles))]
    public void Load_RefusesUnsupportedOrInvalidTokenizers_NamingTheFile(string change, string expectedProblem)
    {
        JsonObject json = TinyTokenizer.Json();
        JsonObject? config = null;
        JsonObject model = json["model"]!.AsObject();
        switch (change)
        {
            case "unknown model": model["type"] = "Foo"; break;
            case "unknown pre-tokenizer": json["pre_tokenizer"] = new JsonObject { ["type"] = "FixedLength" }; break;
            case "unknown pre-tokenizer option": json["pre_tokenizer"]!["split"] = true; break;
            case "unknown normalizer in a sequence":
                json["normalizer"] = new JsonObject { ["type"] = "Sequence", ["normalizers"] = new JsonArray(new JsonObject { ["type"] = "NFC" }, new JsonObject { ["type"] = "Nmt" }) };
                break;
            case "unknown normalizer option":
                json["normalizer"] = new JsonObject { ["type"] = "Sequence", ["normalizers"] = new JsonArray(new JsonObject { ["type"] = "Strip", ["strip_both"] = true }) };
                break;
            case "unknown model option": model["foo"] = 1; break;
            case "dropout": model["dropout"] = 0.1; break;
            case "unknown post-processor": json["post_processor"] = new JsonObject { ["type"] = "Foo" }; break;
            case "unknown template option": json["post_processor"]!["single"]![0]!["SpecialToken"]!["typeid"] = 1; break;
            case "unknown root key": json["tokenizers"] = 1; break;
            case "template without $A": json["post_processor"]!["single"]!.AsArray().RemoveAt(1); break;
            case "unknown template token": json["post_processor"]!["single"]![0]!["SpecialToken"]!["id"] = "[BOS]"; break;
            case "malformed merge": model["merges"]![0] = "h e x"; break;
            case "merge of unknown tokens": model["merges"]!.AsArray().Add("x q"); break;
            case "added token id clash": json["added_tokens"]![0]!["id"] = 104; break;
            case "unknown cls token": config = new JsonObject { ["cls_token"] = "<cls>" }; break;
            case "posix bracket":
                json["pre_tokenizer"] = new JsonObject
                {
                    ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = "[[:alpha:]]+" }, ["behavior"] = "Isolated", ["invert"] = false,
                };
                break;
            default: throw new ArgumentOutOfRangeException(nameof(change), change, null);
        }
        using TemporaryFolder folder = TinyTokenizer.Write(json, config);

        var error = Assert.Throws<InvalidDataException>(() => ModernBertTokenizer.Load(folder.Path));
        Assert.Contains(Path.Combine(folder.Path, "tokenizer.json"), error.Message, StringComparison.Ordinal);
        Assert.Contains(expectedProblem, error.Message, StringComparison.Ordinal);
    }
}
