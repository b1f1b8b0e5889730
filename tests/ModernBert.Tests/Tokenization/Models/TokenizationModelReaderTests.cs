using System.Text.Json;
using ModernBert.Tokenization.Models;

namespace ModernBert.Tests.Tokenization.Models;

public sealed class TokenizationModelReaderTests
{
    private const string File = "/checkpoints/x/tokenizer.json";

    [Theory]
    [InlineData("""{"type": "Sentencepiece", "vocab": {}}""", "model.type 'Sentencepiece' is not a model type")]
    [InlineData("""{"vocab": {}}""", "model.type is missing")]
    [InlineData("""{"type": "BPE", "vocab": {"a": 0}, "merges": [], "cache_capacity": 10}""", "model.cache_capacity is not an option of the BPE model")]
    [InlineData("""{"type": "BPE", "vocab": {"a": 0}, "merges": [], "dropout": 0.1}""", "model.dropout is set")]
    [InlineData("""{"type": "BPE", "vocab": {"a": 0}, "merges": [["a", "b"]]}""", "model.merges[0]: 'b' is not in model.vocab")]
    [InlineData("""{"type": "BPE", "vocab": {"a": 0}, "merges": ["a b c"]}""", "model.merges[0] is 'a b c', not two tokens")]
    [InlineData("""{"type": "BPE", "vocab": {"a": 0}, "merges": [], "unk_token": "<unk>"}""", "model.unk_token '<unk>' is not in model.vocab")]
    [InlineData("""{"type": "BPE", "vocab": {"a": 0}, "merges": [], "byte_fallback": "yes"}""", "model.byte_fallback is not true or false")]
    [InlineData("""{"type": "WordPiece", "vocab": {"a": 0}, "max_input_chars_per_word": -1}""", "model.max_input_chars_per_word is not a non-negative integer")]
    [InlineData("""{"type": "WordLevel", "vocab": ["a"]}""", "model.vocab is missing or not an object")]
    [InlineData("""{"type": "Unigram", "vocab": [["a", -1.0]], "unk_id": 3}""", "model.unk_id 3 is not an index of model.vocab")]
    [InlineData("""{"type": "Unigram", "vocab": [["a"]]}""", "model.vocab[0] is not a [\"token\", score] pair")]
    [InlineData("""{"type": "Unigram", "vocab": [], "alpha": 0.1}""", "model.alpha is not an option of the Unigram model")]
    public void AnUnknownOrInvalidModelIsRefusedNamingTheFileAndThePath(string model, string problem)
    {
        using JsonDocument document = JsonDocument.Parse(model);
        var error = Assert.Throws<InvalidDataException>(() => TokenizationModelReader.Read(document.RootElement, File));
        Assert.StartsWith($"{File}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EachKindLoadsWithItsVocabularySize()
    {
        (string Json, int Size)[] models =
        [
            ("""{"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 5}, "merges": ["a b"], "dropout": null}""", 6),
            ("""{"type": "WordPiece", "vocab": {"[UNK]": 0, "a": 3}}""", 4),
            ("""{"type": "WordLevel", "vocab": {"<unk>": 0, "word": 1}, "unk_token": "<unk>"}""", 2),
            ("""{"type": "Unigram", "vocab": [["<unk>", 0.0], ["a", -1.0]], "unk_id": 0, "byte_fallback": false}""", 2),
        ];
        foreach ((string json, int size) in models)
        {
            using JsonDocument document = JsonDocument.Parse(json);
            ITokenizationModel model = TokenizationModelReader.Read(document.RootElement, File);
            Assert.Equal(size, model.VocabularySize);
            Assert.True(model.TryGetId("a", out _) || model.TryGetId("word", out _));
        }
    }

    [Fact]
    public void BpeMergesByRankAndReportsSpans()
    {
        using JsonDocument document = JsonDocument.Parse(
            """{"type": "BPE", "vocab": {"a": 0, "b": 1, "c": 2, "ab": 3, "bc": 4, "abc": 5}, "merges": ["b c", "a b", "a bc"]}""");
        ITokenizationModel model = TokenizationModelReader.Read(document.RootElement, File);
        var tokens = new List<ModelToken>();
        model.Tokenize("abcab", tokens);
        Assert.Equal([new ModelToken(5, 0, 3), new ModelToken(3, 3, 5)], tokens);
    }
}
