using System.Text.Json.Nodes;
using ModernBert.Inference;
using ModernBert.Tests.Common;
using ModernBert.Tests.Tokenization;
using ModernBert.Tokenization;

namespace ModernBert.Tests.Inference;

/// <summary>A model folder's tokenizer is loaded against its config.json's vocab_size (no reference fixtures needed).</summary>
public sealed class ModelFolderTokenizerTests
{
    [Fact]
    public void TheTokenizerTakesTheModelsVocabSize_WhichMayExceedItsOwnIds_AndIsLoadedOnce()
    {
        using TemporaryFolder folder = ModelWithTinyTokenizer(vocabSize: 320);

        ModelFolder model = ModelFolder.Open(folder.Path);
        ModernBertTokenizer tokenizer = model.Tokenizer;

        Assert.Equal((267, 320), (tokenizer.VocabularySize, tokenizer.ModelVocabularySize));
        Assert.Same(tokenizer, model.Tokenizer);
    }

    [Fact]
    public void ATokenizerWithIdsTheModelHasNoEmbeddingForIsRefused_NamingBoth()
    {
        using TemporaryFolder folder = ModelWithTinyTokenizer(vocabSize: 264);

        var error = Assert.Throws<InvalidDataException>(() => ModelFolder.Open(folder.Path).Tokenizer);

        Assert.Equal($"{folder.File("tokenizer.json")}: the tokenizer has ids up to 266, but the model's vocab_size is 264 (config.json): " +
            "the model has no embedding for ids 264 and above.", error.Message);
    }

    /// <summary>TinyTokenizer's files (ids 0..266) beside a config.json of the given vocab_size.</summary>
    private static TemporaryFolder ModelWithTinyTokenizer(int vocabSize)
    {
        TemporaryFolder folder = TinyTokenizer.Write(TinyTokenizer.Json());
        var config = new JsonObject
        {
            ["model_type"] = "modernbert", ["vocab_size"] = vocabSize, ["hidden_size"] = 16, ["intermediate_size"] = 32,
            ["num_hidden_layers"] = 1, ["num_attention_heads"] = 2, ["local_attention"] = 16,
            ["cls_token_id"] = TinyTokenizer.Cls, ["sep_token_id"] = TinyTokenizer.Sep, ["pad_token_id"] = TinyTokenizer.Pad,
        };
        File.WriteAllText(folder.File(ModelFolder.ConfigFileName), config.ToJsonString());
        return folder;
    }
}
