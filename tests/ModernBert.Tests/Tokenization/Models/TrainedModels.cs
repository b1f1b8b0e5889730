using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModernBert.Tests.Common;

namespace ModernBert.Tests.Tokenization.Models;

/// <summary>
/// Models of every kind trained by Hugging Face tokenizers (tests/tools/hf-models.mjs) on a multilingual corpus,
/// once for the test class, and the pieces to try them on: the corpus's words, pairs of them, slices, random strings
/// of its characters and of characters it lacks, and long words.
/// </summary>
public sealed class TrainedModels : IAsyncLifetime
{
    public const string Script = "hf-models.mjs";
    private static readonly string[] Kinds = ["BPE", "ByteLevelBPE", "WordPiece", "WordLevel", "Unigram"];

    private readonly Dictionary<string, string> _tokenizerJson = [];

    public TemporaryFolder Folder { get; } = new();

    /// <summary>Pieces as the model sees them after a whitespace split.</summary>
    public IReadOnlyList<string> Pieces { get; private set; } = [];

    /// <summary>The same pieces as the ByteLevel pre-tokenizer gives them to the model: each UTF-8 byte mapped to a character.</summary>
    public IReadOnlyList<string> ByteLevelPieces { get; private set; } = [];

    public async ValueTask InitializeAsync()
    {
        string corpus = Folder.File("corpus.txt");
        string[] lines = [.. MultilingualTexts.All, .. MultilingualTexts.All.Select(text => text.ToLowerInvariant())];
        await File.WriteAllLinesAsync(corpus, lines, TestContext.Current.CancellationToken);
        string[] answers = await RunAsync(Kinds.Select(kind =>
            Request(new { train = kind, corpus, output = Folder.File($"{kind}.json") })).ToList());
        Assert.All(answers, answer => Assert.Equal("{}", answer));
        foreach (string kind in Kinds)
            _tokenizerJson[kind] = await File.ReadAllTextAsync(Folder.File($"{kind}.json"), TestContext.Current.CancellationToken);
        Pieces = MakePieces(lines);
        ByteLevelPieces = [.. Pieces.Select(ByteLevelMap)];
    }

    public ValueTask DisposeAsync()
    {
        Folder.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>The tokenizer.json trained for <paramref name="kind"/>, without normalizer, pre-tokenizer or post-processor.</summary>
    public JsonObject Tokenizer(string kind)
    {
        JsonObject tokenizer = JsonNode.Parse(_tokenizerJson[kind])!.AsObject();
        tokenizer["normalizer"] = null;
        tokenizer["pre_tokenizer"] = null;
        tokenizer["post_processor"] = null;
        tokenizer["decoder"] = null;
        return tokenizer;
    }

    /// <summary>One line of ASCII JSON for the script.</summary>
    public static string Request(object request) => JsonSerializer.Serialize(request);

    /// <summary>The script's answer lines (its trainers' progress lines left out).</summary>
    public static async Task<string[]> RunAsync(IReadOnlyCollection<string> requests)
        => [.. (await HuggingFaceNode.RunAsync(Script, requests)).Where(line => line.StartsWith('{'))];

    private static List<string> MakePieces(IEnumerable<string> lines)
    {
        List<string> words = [.. lines.SelectMany(line => line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).Distinct()];
        Rune[] alphabet = [.. words.SelectMany(word => word.EnumerateRunes()).Distinct()];
        Rune[] unseen = [.. "~€🙂𝔘Œ¤ǅʬ\u0301\u200D@ÿĀ豈🏿".EnumerateRunes()];
        var random = new Random(13);
        var pieces = new List<string>(words);
        foreach (string word in words)
        {
            Rune[] runes = [.. word.EnumerateRunes()];
            int start = random.Next(runes.Length);
            pieces.Add(string.Concat(runes.Skip(start).Take(1 + random.Next(runes.Length - start)).Select(rune => rune.ToString())));
            pieces.Add(word + words[random.Next(words.Count)]);
        }
        for (int i = 0; i < 1500; i++)
        {
            var piece = new StringBuilder();
            for (int length = 1 + random.Next(12); length > 0; length--)
                piece.Append((random.Next(5) == 0 ? unseen[random.Next(unseen.Length)] : alphabet[random.Next(alphabet.Length)]).ToString());
            pieces.Add(piece.ToString());
        }
        pieces.Add(string.Concat(Enumerable.Repeat("Supercalifragilistic", 8)));
        pieces.Add(string.Concat(Enumerable.Repeat("鱼🙂", 70)));
        pieces.Add(new string('9', 300));
        return [.. pieces.Distinct()];
    }

    /// <summary>GPT-2's bytes_to_unicode, which the ByteLevel pre-tokenizer applies to each UTF-8 byte.</summary>
    private static string ByteLevelMap(string piece)
    {
        var builder = new StringBuilder();
        foreach (byte b in Encoding.UTF8.GetBytes(piece))
            builder.Append(ByteCharacters[b]);
        return builder.ToString();
    }

    private static readonly char[] ByteCharacters = TinyTokenizer.ByteLevelSymbols();
}
