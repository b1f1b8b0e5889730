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
    public void Load_ReadsSpecialTokensAndVocabularySize()
    {
        using TemporaryFolder folder = TinyTokenizer.Write(TinyTokenizer.Json());
        ModernBertTokenizer tokenizer = ModernBertTokenizer.Load(folder.Path);

        Assert.Equal(TinyTokenizer.Cls, tokenizer.ClsTokenId);
        Assert.Equal(TinyTokenizer.Sep, tokenizer.SepTokenId);
        Assert.Equal(TinyTokenizer.Pad, tokenizer.PadTokenId);
        Assert.Equal(267, tokenizer.VocabularySize);
    }

    [Fact]
    public void Load_TakesSpecialTokenNamesFromTokenizerConfig()
    {
        var config = new JsonObject
        {
            ["cls_token"] = "[SEP]",
            ["sep_token"] = new JsonObject { ["__type"] = "AddedToken", ["content"] = "[CLS]" },
            ["pad_token"] = "hello",
        };
        using TemporaryFolder folder = TinyTokenizer.Write(TinyTokenizer.Json(), config);
        ModernBertTokenizer tokenizer = ModernBertTokenizer.Load(folder.Path);

        Assert.Equal(TinyTokenizer.Sep, tokenizer.ClsTokenId);
        Assert.Equal(TinyTokenizer.Cls, tokenizer.SepTokenId);
        Assert.Equal(TinyTokenizer.Hello, tokenizer.PadTokenId);
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
        { "unigram model", "model.type is 'Unigram'" },
        { "metaspace pre-tokenizer", "pre_tokenizer.type is 'Metaspace'" },
        { "prefix space", "pre_tokenizer.add_prefix_space is true" },
        { "lowercase normalizer", "normalizer.type is 'Lowercase'" },
        { "byte fallback", "model.byte_fallback is true" },
        { "dropout", "model.dropout is set" },
        { "no post-processor", "post_processor is missing" },
        { "bert post-processor", "post_processor.type is 'BertProcessing'" },
        { "template without $A", "post_processor.single must hold the sequence $A exactly once" },
        { "unknown template token", "post_processor.special_tokens['[BOS]'] is missing" },
        { "malformed merge", "model.merges[0] is 'h e x'" },
        { "merge of unknown tokens", "the BPE model is inconsistent" },
        { "added token id clash", "added_tokens[0] ('[CLS]', id 104) disagrees with model.vocab" },
        { "unknown cls token", "the special token '<cls>' is neither an added token nor in model.vocab" },
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
            case "unigram model": model["type"] = "Unigram"; break;
            case "metaspace pre-tokenizer": json["pre_tokenizer"] = new JsonObject { ["type"] = "Metaspace" }; break;
            case "prefix space": json["pre_tokenizer"]!["add_prefix_space"] = true; break;
            case "lowercase normalizer": json["normalizer"] = new JsonObject { ["type"] = "Lowercase" }; break;
            case "byte fallback": model["byte_fallback"] = true; break;
            case "dropout": model["dropout"] = 0.1; break;
            case "no post-processor": json.Remove("post_processor"); break;
            case "bert post-processor": json["post_processor"] = new JsonObject { ["type"] = "BertProcessing" }; break;
            case "template without $A": json["post_processor"]!["single"]!.AsArray().RemoveAt(1); break;
            case "unknown template token": json["post_processor"]!["single"]![0]!["SpecialToken"]!["id"] = "[BOS]"; break;
            case "malformed merge": model["merges"]![0] = "h e x"; break;
            case "merge of unknown tokens": model["merges"]!.AsArray().Add("x q"); break;
            case "added token id clash": json["added_tokens"]![0]!["id"] = 104; break;
            case "unknown cls token": config = new JsonObject { ["cls_token"] = "<cls>" }; break;
            default: throw new ArgumentOutOfRangeException(nameof(change), change, null);
        }
        using TemporaryFolder folder = TinyTokenizer.Write(json, config);

        var error = Assert.Throws<InvalidDataException>(() => ModernBertTokenizer.Load(folder.Path));
        Assert.Contains(Path.Combine(folder.Path, "tokenizer.json"), error.Message, StringComparison.Ordinal);
        Assert.Contains(expectedProblem, error.Message, StringComparison.Ordinal);
    }
}
